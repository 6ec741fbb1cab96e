/** Limits and parameters of the vault, each with its reason. */

/** Signature domain of vault rights operations (grant, revoke, write); see trust/signing.ts. */
export const VAULT_OP_DOMAIN = 'vault-op/1';

/** Signature domain of audit entries, so an audit signature can never be replayed as a vault operation. */
export const VAULT_AUDIT_DOMAIN = 'vault-audit/1';

/**
 * scrypt cost for the passphrase seal of a home's box key: N=2^15, r=8 is OWASP's minimum for
 * scrypt (about 32 MiB, ~100 ms on the 2-core test machine), once per daemon start.
 */
export const BOX_KEY_SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** A secret value's largest size (64 KiB): certificates and SSH keys fit, a file dump does not. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Hex characters of a public key shown as its fingerprint (SHA-256, 128 bits: collision-safe for eyes). */
export const FINGERPRINT_HEX = 32;

/** Base64 length of a sealed value at its largest (MAX_SECRET_BYTES plus the 16-byte MAC), so no op smuggles more. */
export const MAX_SEALED_B64 = Math.ceil(((MAX_SECRET_BYTES + 16) * 4) / 3) + 4;

/** Members one vault can wrap a generation for: a 30-host fleet with room; each wrap is ~150 bytes. */
export const MAX_VAULT_MEMBERS = 1000;

/** Secrets one generation re-seals (a rotation op carries them all; 10k × ~200 B stays under the 4 MiB document bound). */
export const MAX_SECRETS_PER_VAULT = 10_000;

/** Collection of vault documents, and the id prefix of a host's audit chain document in it. */
export const AUDIT_DOC_PREFIX = 'audit-';

/** Id prefix of vault documents (`v-` + 16 random hex), apart from audit chains in the same collection. */
export const VAULT_DOC_PREFIX = 'v-';

/** How often an admin host checks for expired grants and members removed from the mesh, to rotate them out. */
export const VAULT_RECONCILE_MS = 30_000;

/** An expired grant is rotated out this long after its expiry (a margin so the expiry has passed on this clock). */
export const VAULT_EXPIRY_SLACK_MS = 1000;

/**
 * Audit entries per audit document (a host's chain is split into documents of this many, in
 * order): the store saves a whole document at each write, so an unbounded chain would make every
 * audited read slower than the last (~400 bytes an entry: 500 is ~200 KB at most).
 */
export const AUDIT_SHARD_ENTRIES = 500;
