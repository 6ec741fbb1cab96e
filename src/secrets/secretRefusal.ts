import { MeshError } from '../errors.js';
import { findHighEntropyTokens } from './highEntropy.js';
import { findSecrets, type SecretFinding } from './SecretDetector.js';

/** Where a likely secret was found: the field, the kind and the character range; never the value. */
export interface SecretLocation {
  field: string;
  kind: string;
  start: number;
  end: number;
}

/** Known key formats (secretlint and our patterns) and random-looking tokens, in order of position. */
export async function findLikelySecrets(text: string): Promise<SecretFinding[]> {
  const known = await findSecrets(text);
  const random = findHighEntropyTokens(text).filter((r) => !known.some((k) => r.start < k.end && k.start < r.end));
  return [...known, ...random].sort((a, b) => a.start - b.start);
}

/** Separates the fields checked together: no pattern or token matches across a NUL. */
const FIELD_SEPARATOR = '\n\u0000\n';

/**
 * The likely secrets of several fields, found in one pass over them joined: secretlint costs about
 * a millisecond per call however short the text (issue 12's refusal had doubled a memory write's
 * cost by calling it once per field), so the fields go as one text and findings map back.
 */
async function locateLikelySecrets(fields: Record<string, string | undefined>): Promise<SecretLocation[]> {
  const parts = Object.entries(fields).filter((e): e is [string, string] => Boolean(e[1]));
  if (parts.length === 0) return [];
  const found = await findLikelySecrets(parts.map(([, text]) => text).join(FIELD_SEPARATOR));
  const out: SecretLocation[] = [];
  let offset = 0;
  for (const [field, text] of parts) {
    const end = offset + text.length;
    for (const f of found) if (f.start >= offset && f.start < end) out.push({ field, kind: f.kind, start: f.start - offset, end: Math.min(f.end, end) - offset });
    offset = end + FIELD_SEPARATOR.length;
  }
  return out;
}

/**
 * Refuses a write whose text looks like it holds a credential: memories replicate to every host
 * and into search indexes, while a vault seals its values for its members only. The error names
 * the field, the kind and the position, so the caller can find it, and never the value (errors
 * reach logs and models). `allow_secret: true` is the caller's explicit insistence.
 */
export async function refuseLikelySecrets(fields: Record<string, string | undefined>): Promise<void> {
  const found = await locateLikelySecrets(fields);
  if (found.length === 0) return;
  const first = found[0]!;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
  throw new MeshError(
    'SECRET_DETECTED',
    `${first.field} looks like it holds a secret: ${first.kind} at characters ${first.start}-${first.end}${more}. Secrets belong in a vault (store_in_vault, or mesh vault set), where only its members can read them; if this is not a secret, repeat with allow_secret: true (CLI: --allow-secret).`,
    { findings: found.slice(0, 20).map((f) => ({ ...f })) },
  );
}
