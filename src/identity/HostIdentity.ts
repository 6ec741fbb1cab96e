import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from '../jsonFile.js';

/**
 * This host's identity. The Automerge actor id is per host so every change in a document's
 * history says which machine made it; the libp2p key is its identity in the mesh. The vault issue
 * adds the NaCl key pairs here.
 */
export const HostIdentitySchema = z.object({
  version: z.literal(1),
  hostId: z.string().regex(/^[0-9a-f]{32}$/),
  name: z.string().min(1).max(128),
  actorId: z.string().regex(/^[0-9a-f]{32}$/),
  createdAt: z.string(),
  /** libp2p Ed25519 private key, protobuf-encoded, base64. Its peer id is this host's mesh identity. */
  p2pKey: z.string().min(1).optional(),
});

export type HostIdentity = z.infer<typeof HostIdentitySchema>;

export async function newIdentity(name?: string): Promise<HostIdentity> {
  return {
    version: 1,
    hostId: randomBytes(16).toString('hex'),
    name: name ?? hostname(),
    actorId: randomBytes(16).toString('hex'),
    createdAt: new Date().toISOString(),
    p2pKey: await newP2pKey(),
  };
}

export async function newP2pKey(): Promise<string> {
  const { generateKeyPair, privateKeyToProtobuf } = await import('@libp2p/crypto/keys');
  return Buffer.from(privateKeyToProtobuf(await generateKeyPair('Ed25519'))).toString('base64');
}

export function readIdentity(path: string): Promise<HostIdentity | undefined> {
  return readJsonFile(path, HostIdentitySchema, 'move it away and run `mesh init`');
}

export function writeIdentity(path: string, identity: HostIdentity): Promise<void> {
  return writeJsonFileAtomic(path, identity);
}
