import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { findHighEntropyTokens } from '../../../src/secrets/highEntropy.js';
import { refuseLikelySecrets } from '../../../src/secrets/secretRefusal.js';

const AWS = 'AKIAZ7QPLMNB4VCX2ERT';
// A generated key in no known format (random base64url, 40 characters).
const RANDOM = 'q7Xv2LmP9sK4tRz8Wc1NbY6eJ3uHd5GfA0oViTqE';

async function refusal(fields: Record<string, string>): Promise<MeshError | undefined> {
  return refuseLikelySecrets(fields).then(
    () => undefined,
    (e: unknown) => e as MeshError,
  );
}

describe('refusing likely secrets in memory writes', () => {
  it('names the field, the kind and the position of an AWS key, never the value', async () => {
    const e = await refusal({ content: `deploy creds: ${AWS} for the ci user` });
    expect(e?.code).toBe('SECRET_DETECTED');
    expect(e?.message).toContain('content looks like it holds a secret: aws access key at characters 14-34');
    expect(e?.message).toContain('vault');
    expect(JSON.stringify(e?.toJSON())).not.toContain(AWS);
    expect(JSON.stringify(e?.toJSON())).not.toContain(AWS.slice(4));
  });

  it('finds a random-looking token in no known format, in metadata too', async () => {
    const e = await refusal({ content: 'rotate monthly', metadata: JSON.stringify({ note: `key ${RANDOM}` }) });
    expect(e?.code).toBe('SECRET_DETECTED');
    expect(e?.message).toMatch(/^metadata looks like it holds a secret: high-entropy token/);
    expect(JSON.stringify(e?.toJSON())).not.toContain(RANDOM);
  });

  it('still finds random tokens cut by separators', () => {
    for (const token of [`xoxq-${RANDOM.slice(0, 12)}-${RANDOM.slice(12)}`, `${RANDOM.slice(0, 20)}/${RANDOM.slice(20)}+Zk9`, `APP_SECRET=${RANDOM}`]) {
      expect(findHighEntropyTokens(`value ${token} end`).map((f) => f.kind), token).toEqual(['high-entropy token']);
    }
  });

  it('leaves hashes, uuids, paths and prose alone', async () => {
    const text = [
      'commit 3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345 fixed it',
      'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'memory 0b7c1f7e-3d7a-4f3e-9b1a-6c2d4e5f6a7b',
      'see src/teams/TeamWriteGuard.ts and docs/ARCHITECTURE.md',
      'ThisIsAVeryLongCamelCaseIdentifierName123 in the code base',
      'nginx upstream keepalive 32, restarted with systemctl reload nginx',
      // Settings and flags: words and numbers joined by separators (refused as secrets until 2026-12-06).
      'set NODE_OPTIONS=--max-old-space-size=4096 in the build job',
      'MALLOC_ARENA_MAX=2 and JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 for the ES nodes',
      'run with --experimental-vm-modules=true --unhandled-rejections=strict',
    ].join('\n');
    expect(findHighEntropyTokens(text)).toEqual([]);
    expect(await refusal({ content: text })).toBeUndefined();
  });
});
