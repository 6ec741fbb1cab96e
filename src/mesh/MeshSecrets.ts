import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from '../jsonFile.js';

/**
 * The mesh's shared secrets on this host (`mesh.json`, mode 0600): the private-network key that
 * every member's libp2p node needs, and, between `mesh join` and the first contact, the invite
 * this host is joining with. The first host creates the key; joiners take it from their token.
 */
export const PendingJoinSchema = z.object({
  inviter: z.string().min(1),
  addrs: z.array(z.string()).min(1),
  secret: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: z.number(),
});
export type PendingJoin = z.infer<typeof PendingJoinSchema>;

export const MeshSecretsSchema = z.object({
  version: z.literal(1),
  meshId: z.string().min(1),
  /** The libp2p pnet key file (`/key/swarm/psk/1.0.0/ ...`). */
  psk: z.string().min(1),
  founder: z.boolean(),
  /** The genesis operation of the mesh's signed membership (trust/membershipOps.ts): the root this host trusts. */
  root: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  join: PendingJoinSchema.optional(),
});
export type MeshSecrets = z.infer<typeof MeshSecretsSchema>;

export function readMeshSecrets(path: string): Promise<MeshSecrets | undefined> {
  return readJsonFile(path, MeshSecretsSchema, 'move it away and run `mesh init` or `mesh join`');
}

export function writeMeshSecrets(path: string, secrets: MeshSecrets): Promise<void> {
  return writeJsonFileAtomic(path, secrets);
}

/** Creates a new mesh (this host its founder) unless this home already belongs to one. */
export async function ensureMeshSecrets(path: string): Promise<MeshSecrets> {
  const existing = await readMeshSecrets(path);
  if (existing) return existing;
  const secrets: MeshSecrets = { version: 1, meshId: crypto.randomUUID(), psk: await newPsk(), founder: true };
  await writeMeshSecrets(path, secrets);
  return secrets;
}

export async function newPsk(): Promise<string> {
  const { generateKey } = await import('@libp2p/pnet');
  const bytes = new Uint8Array(95);
  generateKey(bytes);
  return new TextDecoder().decode(bytes);
}
