import { InvalidInputError } from '../errors.js';
import { findSecrets } from '../secrets/SecretDetector.js';

/**
 * Runbooks, playbooks and infrastructure state replicate in plain documents to every member, so a
 * credential in them is refused (with its kind and line, never its value) and pointed to a vault.
 */
export async function refuseSecrets(text: string, what: string): Promise<void> {
  const found = await findSecrets(text);
  if (found.length === 0) return;
  const lines = found.map((f) => text.slice(0, f.start).split('\n').length);
  const kinds = [...new Set(found.map((f) => f.kind))];
  throw new InvalidInputError(
    `the ${what} holds what looks like a secret (${kinds.join(', ')}; line ${[...new Set(lines)].join(', ')}): keep it in a vault (store_in_vault) and refer to it by name`,
    { secret_kinds: kinds, lines },
  );
}
