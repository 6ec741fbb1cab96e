import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { MeshError } from '../errors.js';

/**
 * Member manifests: one JSON file per host, for teams that keep membership in git
 * (see peers/README.md). Listed in config (`manifests`: files or folders of *.json).
 */
export const MemberManifestSchema = z
  .object({
    peer_id: z.string().regex(/^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'peer_id must be a libp2p Ed25519 peer id (12D3Koo…)'),
    name: z.string().min(1).max(200),
    addrs: z.array(z.string().min(1).max(300)).max(32).default([]),
    teams: z.array(z.string().min(1).max(100)).max(64).default([]),
  })
  .strict();
export type MemberManifest = z.infer<typeof MemberManifestSchema>;

/** Reads every manifest named by the config; a malformed one is an error naming the file and field. */
export async function readManifests(paths: readonly string[], home: string): Promise<MemberManifest[]> {
  const files: string[] = [];
  for (const p of paths) {
    const full = isAbsolute(p) ? p : resolve(home, p);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new MeshError('HOME_INVALID', `member manifest ${full} does not exist`);
    if (info.isDirectory()) for (const f of (await readdir(full)).filter((f) => f.endsWith('.json')).sort()) files.push(join(full, f));
    else files.push(full);
  }
  const out: MemberManifest[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new MeshError('HOME_INVALID', `member manifest ${file} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = MemberManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MeshError('HOME_INVALID', `member manifest ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    out.push(parsed.data);
  }
  return out;
}
