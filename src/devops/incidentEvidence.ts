/**
 * Why two incident texts look alike: the systems they share, the error tokens they share
 * (ECONNREFUSED, HTTP 503, ORA-00600, OutOfMemoryError) and the plain symptom words they share.
 * Pure functions, so every host computes the same reasons from the same records.
 */
import { INCIDENT_MIN_SHARED_SYMPTOMS } from '../constants.js';

export interface Evidence {
  systems: string[];
  error_tokens: string[];
  symptoms: string[];
}

const STOPWORDS = new Set(
  'about after again against also because been before being below between both cannot could does doing down during each from further have having here into itself just more most once only other over same should some such than that their them then there these they this those through under until very were what when where which while will with would your after sees seen every since still'.split(' '),
);

/** Acronyms that name a layer, not an error: shared by unrelated failures, so no evidence. */
const GENERIC_ACRONYMS = new Set(['HTTP', 'HTTPS', 'API', 'DNS', 'TLS', 'SSL', 'CPU', 'RAM', 'TCP', 'UDP', 'URL', 'SQL', 'JVM', 'SSH', 'NFS', 'GPU', 'DISK']);

/** Tokens that name an error rather than describe one: codes, constants, exception names, statuses. */
export function errorTokens(text: string): string[] {
  const found = new Set<string>();
  for (const raw of text.match(/[A-Za-z0-9_.:-]+/g) ?? []) {
    const t = raw.replace(/^[.:_-]+|[.:_-]+$/g, '');
    if (t.length < 3) continue;
    const isConstant = /^[A-Z][A-Z0-9_]{2,}$/.test(t) && /[A-Z]{3}/.test(t) && !GENERIC_ACRONYMS.has(t); // ECONNREFUSED, OOM, SIGKILL
    const isCode = /[A-Za-z]/.test(t) && /\d/.test(t) && !/^\d/.test(t); // E1234, ORA-00600, HTTP503
    const isException = /(Error|Exception|Fault)$/.test(t) && /^[A-Za-z.]+$/.test(t); // java.lang.OutOfMemoryError
    const isStatus = /^[45]\d\d$/.test(t); // HTTP status codes
    if (isConstant || isCode || isException || isStatus) found.add(t.toLowerCase());
  }
  return [...found].sort();
}

/** Plain lower-case words of four letters or more, without stopwords, error tokens or system names. */
export function symptomWords(text: string, exclude: readonly string[] = []): string[] {
  const skip = new Set([...exclude.map((s) => s.toLowerCase()), ...errorTokens(text)]);
  // Whole tokens only: "proxy2" is a name, not the word "proxy".
  const words = (text.toLowerCase().match(/[a-z0-9][a-z0-9_-]*/g) ?? []).map((w) => w.replace(/-+$/, '')).filter((w) => /^[a-z][a-z-]{3,}$/.test(w));
  return [...new Set(words.filter((w) => !STOPWORDS.has(w) && !skip.has(w)))].sort();
}

export function normaliseSystems(systems: readonly string[]): string[] {
  return [...new Set(systems.map((s) => s.trim().toLowerCase()).filter(Boolean))].sort();
}

const intersect = (a: readonly string[], b: readonly string[]): string[] => {
  const set = new Set(b);
  return a.filter((x) => set.has(x));
};

/** The evidence shared by two records; `matches` says whether it is enough to call them related. */
export function sharedEvidence(a: { text: string; systems: string[] }, b: { text: string; systems: string[] }): Evidence & { matches: boolean; weight: number } {
  const systems = intersect(normaliseSystems(a.systems), normaliseSystems(b.systems));
  const error_tokens = intersect(errorTokens(a.text), errorTokens(b.text));
  const symptoms = intersect(symptomWords(a.text, a.systems), symptomWords(b.text, b.systems));
  const enoughSymptoms = symptoms.length >= INCIDENT_MIN_SHARED_SYMPTOMS;
  const matches = error_tokens.length > 0 || enoughSymptoms || (systems.length > 0 && symptoms.length > 0);
  // Errors name the failure most precisely, systems say where, words only hint.
  const weight = 3 * error_tokens.length + 2 * systems.length + symptoms.length;
  return { systems, error_tokens, symptoms: enoughSymptoms || systems.length ? symptoms : [], matches, weight };
}

/** One readable sentence of reasons: "shares systems proxy2; same errors econnrefused; symptoms timeout, upstream". */
export function evidenceText(e: Evidence): string {
  const parts: string[] = [];
  if (e.systems.length) parts.push(`shares systems ${e.systems.join(', ')}`);
  if (e.error_tokens.length) parts.push(`same errors ${e.error_tokens.join(', ')}`);
  if (e.symptoms.length) parts.push(`symptoms ${e.symptoms.slice(0, 6).join(', ')}`);
  return parts.join('; ');
}
