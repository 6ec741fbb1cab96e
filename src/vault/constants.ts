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
