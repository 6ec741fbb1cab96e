import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { z } from 'zod';
import { MeshError } from '../errors.js';

/**
 * This host's identity. The Automerge actor id is per host so every change in a document's
 * history says which machine made it. Later issues add the libp2p and NaCl key pairs here.
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

export async function readIdentity(path: string): Promise<HostIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = HostIdentitySchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new MeshError('HOME_INVALID', `identity file ${path} is malformed; move it away and run \`mesh init\``);
  return parsed.data;
}

/** Written to a temporary file then renamed, mode 0600, so a crash never leaves half an identity. */
export async function writeIdentity(path: string, identity: HostIdentity): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
