import { basename } from 'node:path';
import { MeshError } from '../errors.js';
import { findSecrets } from '../secrets/index.js';

/**
 * Files that hold credentials by their nature, whatever their content looks like: keys and
 * certificates with keys, SSH identities, dotenv files, password stores. Matched on the file name.
 */
const SECRET_FILE_NAMES: readonly RegExp[] = [
  /\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|gpg|asc)$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/i,
  /^\.env(\..+)?$/i,
  /^(shadow|gshadow|\.netrc|\.pgpass|\.htpasswd|credentials|\.git-credentials|\.npmrc|\.pypirc)$/i,
];

/** Why a file must not be stored in a plain document, or undefined. Never includes the secret. */
export async function secretReason(path: string, content: string): Promise<string | undefined> {
  const name = basename(path);
  if (SECRET_FILE_NAMES.some((r) => r.test(name))) return `${name} is a secrets-bearing file by its name`;
  const found = await findSecrets(content);
  if (found.length === 0) return undefined;
  const kinds = [...new Set(found.map((f) => f.kind))];
  const lines = [...new Set(found.map((f) => content.slice(0, f.start).split('\n').length))].slice(0, 5);
  return `it contains ${kinds.join(', ')} (line ${lines.join(', ')})`;
}

/** Refuses secrets-bearing config with a pointer to the vault; the document is never written. */
export async function refuseSecrets(path: string, content: string): Promise<void> {
  const reason = await secretReason(path, content);
  if (!reason) return;
  throw new MeshError(
    'SECRET_REFUSED',
    `refused: ${reason}. Config documents replicate in plain text to every host; keep the secret in a vault (store_in_vault) and snapshot the file without it, or with a placeholder`,
    { path, use: 'store_in_vault' },
  );
}
