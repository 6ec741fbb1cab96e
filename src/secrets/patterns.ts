/**
 * Our own secret patterns, beside secretlint's vendor rules (see SecretDetector.ts): formats the
 * preset does not cover, and the generic "name = value" shape. Conservative on purpose: a false
 * positive costs a redacted word in a memory, a false negative leaks a credential to every host.
 */
export interface SecretPattern {
  kind: string;
  /** Global regex; when `group` is set only that capture group is the secret. */
  regex: RegExp;
  group?: number;
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'private key', regex: /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)/g },
  { kind: 'anthropic key', regex: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai key', regex: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}/g },
  { kind: 'aws access key', regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'github token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g },
  { kind: 'gitlab token', regex: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'stripe key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'google api key', regex: /\bAIza[A-Za-z0-9_-]{35}\b/g },
  { kind: 'npm token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  // user:password@ in a URL (any scheme): the password is the secret.
  { kind: 'url credentials', regex: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]{3,})@/gi, group: 1 },
  { kind: 'bearer token', regex: /\b(?:Bearer|Token)\s+([A-Za-z0-9._~+/=-]{20,})/g, group: 1 },
  // NAME=value / "name": "value" / name: value, where the name says it holds a secret.
  {
    kind: 'secret assignment',
    regex: /\b[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?([^\s"',;]{8,})/gi,
    group: 1,
  },
];
