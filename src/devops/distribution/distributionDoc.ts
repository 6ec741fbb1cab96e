import type { Memory } from '../../domain/Memory.js';
import { DistributionPayload, Outcome } from './distributionPayload.js';

/** A distribution is a memory of category `infrastructure`, kind `config_distribution`, tag `config-distribution`. */
export const DISTRIBUTION_TAG = 'config-distribution';
export const DISTRIBUTION_CATEGORY = 'infrastructure';
export const OUTCOME_KEY_PREFIX = 'outcome:';
export const outcomeKey = (host: string) => `${OUTCOME_KEY_PREFIX}${host}`;

export function isDistribution(m: { category: string; metadata: Record<string, unknown>; deleted: boolean }): boolean {
  return m.category === DISTRIBUTION_CATEGORY && m.metadata.kind === 'config_distribution' && !m.deleted;
}

/** The signed payload and its signature, or undefined when the document does not carry a well-formed one. */
export function payloadOf(m: Memory): { payload: DistributionPayload; signature: string } | undefined {
  const parsed = DistributionPayload.safeParse(m.metadata.payload);
  const signature = m.metadata.signature;
  if (!parsed.success || typeof signature !== 'string') return undefined;
  return { payload: parsed.data, signature };
}

/** The outcomes written into the document, by the host named in each key (malformed ones are skipped). */
export function outcomesOf(m: Memory): { host: string; outcome: Outcome }[] {
  const out: { host: string; outcome: Outcome }[] = [];
  for (const [key, value] of Object.entries(m.metadata)) {
    if (!key.startsWith(OUTCOME_KEY_PREFIX)) continue;
    const parsed = Outcome.safeParse(value);
    if (parsed.success) out.push({ host: key.slice(OUTCOME_KEY_PREFIX.length), outcome: parsed.data });
  }
  return out.sort((a, b) => a.host.localeCompare(b.host));
}
