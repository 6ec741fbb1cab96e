import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeWithBackup } from '../../../src/devops/distribution/atomicApply.js';
import { type DistributionPayload, sha256Hex, signOutcome, signPayload, verifyOutcome, verifyPayload } from '../../../src/devops/distribution/distributionPayload.js';
import { checkTargetPath, isTargeted, runsCommands } from '../../../src/devops/distribution/targetPolicy.js';
import { signerFromKey } from '../../../src/trust/signing.js';

describe('target policy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dist-policy-'));
    mkdirSync(join(dir, 'etc', 'app'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('allows nothing by default', async () => {
    expect(await checkTargetPath(join(dir, 'etc', 'app', 'a.conf'), [])).toMatchObject({ ok: false, reason: expect.stringContaining('allows no distributed files') as string });
  });

  it('allows a path matching an entry, with ~ as the home', async () => {
    const allow = [{ path: '~/etc/app/*.conf', commands: false }];
    expect(await checkTargetPath('~/etc/app/a.conf', allow, dir)).toMatchObject({ ok: true, real: join(dir, 'etc', 'app', 'a.conf') });
    expect(await checkTargetPath('~/etc/app/a.txt', allow, dir)).toMatchObject({ ok: false });
    expect(await checkTargetPath('etc/app/a.conf', allow, dir)).toMatchObject({ ok: false, reason: expect.stringContaining('not absolute') as string });
  });

  it('resolves .. and symlinks (of the file and of a directory) before matching', async () => {
    const allow = [{ path: join(dir, 'etc', 'app', '*'), commands: false }];
    // A literal `..` (join() would fold it before the check sees it).
    expect(await checkTargetPath(`${dir}/etc/app/../passwd`, allow)).toMatchObject({ ok: false, reason: expect.stringContaining(`${dir}/etc/passwd is not in`) as string });
    writeFileSync(join(dir, 'secret'), 'x');
    symlinkSync(join(dir, 'secret'), join(dir, 'etc', 'app', 'link'));
    expect(await checkTargetPath(join(dir, 'etc', 'app', 'link'), allow)).toMatchObject({ ok: false, reason: expect.stringContaining(`really ${join(dir, 'secret')}`) as string });
    mkdirSync(join(dir, 'other'));
    symlinkSync(join(dir, 'other'), join(dir, 'etc', 'app', 'sub'));
    expect(await checkTargetPath(join(dir, 'etc', 'app', 'sub', 'x.conf'), [{ path: join(dir, 'etc', 'app', '**'), commands: false }])).toMatchObject({ ok: false });
  });

  it('matches a pattern whose directory is itself a link (like /etc on some systems)', async () => {
    symlinkSync(join(dir, 'etc'), join(dir, 'etc-link'));
    expect(await checkTargetPath(join(dir, 'etc', 'app', 'a.conf'), [{ path: join(dir, 'etc-link', 'app', '*.conf'), commands: false }])).toMatchObject({ ok: true });
  });

  it('names targets by name or glob, case-insensitively', () => {
    expect(isTargeted(['web*'], 'web1')).toBe(true);
    expect(isTargeted(['elastic[12]'], 'elastic3')).toBe(false);
    expect(isTargeted(['DB1'], 'db1')).toBe(true);
  });

  it('spots ssh directives that run commands', () => {
    expect(runsCommands('Host a\n  ProxyCommand nc %h %p\n')).toBe('ProxyCommand');
    expect(runsCommands('Match host x exec "true"\n')).toBe('Match');
    expect(runsCommands('Host a\n  ProxyJump b\n  PermitLocalCommand no\n')).toBeUndefined();
  });
});

describe('atomic apply', () => {
  it('keeps the previous file as a backup with its mode, and replaces a link planted at the backup path instead of writing through it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-apply-'));
    try {
      const file = join(dir, 'app.conf');
      writeFileSync(file, 'old\n', { mode: 0o640 });
      writeFileSync(join(dir, 'victim'), 'victim\n');
      symlinkSync(join(dir, 'victim'), `${file}.mesh-backup`);
      const { backup } = await writeWithBackup(file, 'new\n');
      expect(readFileSync(file, 'utf8')).toBe('new\n');
      expect(readFileSync(backup!, 'utf8')).toBe('old\n');
      expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('victim\n');
      expect(statSync(file).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir).filter((f) => f.includes('mesh-tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('distribution signatures', () => {
  it('a payload verifies for its author only, and any changed field breaks it; outcomes likewise', async () => {
    const key = await generateKeyPair('Ed25519');
    const signer = signerFromKey(key, peerIdFromPrivateKey(key).toString());
    const payload: DistributionPayload = { v: 1, nonce: 'nonce-0001', flavour: 'infrastructure', targets: ['web1'], path: '/etc/app.conf', sha256: sha256Hex('x'), dry_run: false, author: signer.peerId, created_at: '2026-12-06T00:00:00Z', expires_at: '2026-12-07T00:00:00Z' };
    const sig = await signPayload(signer, payload);
    expect(await verifyPayload(payload, sig)).toBe(true);
    expect(await verifyPayload({ ...payload, path: '/etc/passwd' }, sig)).toBe(false);
    expect(await verifyPayload({ ...payload, targets: ['*'] }, sig)).toBe(false);
    const other = await generateKeyPair('Ed25519');
    expect(await verifyPayload({ ...payload, author: peerIdFromPrivateKey(other).toString() }, sig)).toBe(false);
    const outcome = await signOutcome(signer, { nonce: 'nonce-0001', host: 'web1', peer: signer.peerId, status: 'applied', reason: 'wrote', at: '2026-12-06T00:00:01Z', backup: null, diff: null });
    expect(await verifyOutcome(outcome)).toBe(true);
    expect(await verifyOutcome({ ...outcome, status: 'refused' })).toBe(false);
  });
});
