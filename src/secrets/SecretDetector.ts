import type { lintSource } from '@secretlint/core';
import { SECRET_PATTERNS } from './patterns.js';

/** A secret found in a text: where it is and what it looks like (never the value itself). */
export interface SecretFinding {
  start: number;
  end: number;
  kind: string;
}

/** secretlint's lint with its recommended rules, its profiler quiet; loaded by the first check. */
interface Secretlint {
  lint: typeof lintSource;
  config: Parameters<typeof lintSource>[0]['options']['config'];
}
let secretlint: Promise<Secretlint> | undefined;

/**
 * secretlint and its rules (~20 modules, 200 KB of rule code) load on the first text checked, not
 * when the daemon starts: a daemon answers searches before any write asks for the check.
 */
function loadSecretlint(): Promise<Secretlint> {
  secretlint ??= (async () => {
    const [core, preset, quiet] = await Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend'), import('./quietSecretlint.js')]);
    quiet.quietSecretlintProfiler();
    return { lint: core.lintSource, config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset.creator }] } };
  })();
  return secretlint;
}

/**
 * Finds credentials in free text (transcripts, notes) before anything is stored: secretlint's
 * recommended vendor rules (AWS, GCP, GitHub, Slack, npm, private keys, …; maintained, offline)
 * plus our own conservative patterns (`patterns.ts`). The vault reuses it to warn about secrets
 * written outside a vault.
 */
export async function findSecrets(text: string): Promise<SecretFinding[]> {
  const found: SecretFinding[] = [];
  for (const p of SECRET_PATTERNS) {
    for (const m of text.matchAll(p.regex)) {
      const value = p.group === undefined ? m[0] : m[p.group];
      if (value === undefined || m.index === undefined) continue;
      const start = m.index + (p.group === undefined ? 0 : m[0].lastIndexOf(value));
      // Our own placeholder (`KEY=[redacted …]`) is not a secret: a second pass must change nothing.
      if (text.startsWith(REDACTED_PREFIX, start)) continue;
      found.push({ start, end: start + value.length, kind: p.kind });
    }
  }
  const { lint, config } = await loadSecretlint();
  const linted = await lint({ source: { content: text, filePath: 'text.txt', ext: '.txt', contentType: 'text' }, options: { config } });
  for (const message of linted.messages) {
    const [start, end] = message.range;
    found.push({ start, end, kind: message.ruleId.replace('@secretlint/secretlint-rule-', '') });
  }
  return mergeOverlaps(found);
}

/** What a redacted secret is replaced by, before its kind. */
const REDACTED_PREFIX = '[redacted ';

/** The text with every secret replaced by `[redacted <kind>]`, and the kinds found. */
export async function redactSecrets(text: string): Promise<{ text: string; kinds: string[] }> {
  const found = await findSecrets(text);
  if (found.length === 0) return { text, kinds: [] };
  let out = '';
  let at = 0;
  for (const f of found) {
    out += `${text.slice(at, f.start)}${REDACTED_PREFIX}${f.kind}]`;
    at = f.end;
  }
  return { text: out + text.slice(at), kinds: [...new Set(found.map((f) => f.kind))] };
}

/** Separates texts checked together: no pattern matches across it (none matches a NUL). */
const SEPARATOR = '\n\u0000\n';

/**
 * Redacts many texts with one pass of the detector over all of them (secretlint costs about a
 * millisecond per call however short the text, so a transcript's thousands of texts go as one).
 */
export async function redactSecretsMany(texts: readonly string[]): Promise<{ texts: string[]; found: number }> {
  if (texts.length === 0) return { texts: [], found: 0 };
  const joined = texts.join(SEPARATOR);
  const found = await findSecrets(joined);
  if (found.length === 0) return { texts: [...texts], found: 0 };
  const out: string[] = [];
  let start = 0;
  let f = 0;
  for (const text of texts) {
    const end = start + text.length;
    let piece = '';
    let at = start;
    while (f < found.length && found[f]!.start < end) {
      const s = Math.max(found[f]!.start, at);
      piece += `${joined.slice(at, s)}${REDACTED_PREFIX}${found[f]!.kind}]`;
      at = Math.min(found[f]!.end, end);
      if (found[f]!.end > end) break; // continues into the next text
      f++;
    }
    out.push(piece + joined.slice(Math.max(at, start), end));
    start = end + SEPARATOR.length;
    while (f < found.length && found[f]!.end <= start) f++;
  }
  return { texts: out, found: found.length };
}

function mergeOverlaps(found: SecretFinding[]): SecretFinding[] {
  const sorted = found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretFinding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else out.push({ ...f });
  }
  return out;
}
