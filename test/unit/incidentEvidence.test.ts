import { describe, expect, it } from 'vitest';
import { errorTokens, sharedEvidence, symptomWords } from '../../src/devops/incidentEvidence.js';
import { sameOutage, toIncident, withRuleLinks } from '../../src/devops/IncidentService.js';
import type { Memory } from '../../src/domain/Memory.js';

const memory = (id: string, machine: string, systems: string[], opened: string): Memory =>
  ({ id, content: 'x', category: 'incidents', tags: [], context: '', project: '', scope: 'mesh', machine, agent: 'a', created_at: opened, updated_at: opened, deleted: false, metadata: { kind: 'incident', title: id, affected_systems: systems, opened_at: opened } }) as unknown as Memory;

describe('incident evidence', () => {
  it('extracts error tokens: constants, codes, exception names, HTTP statuses; not plain words or numbers', () => {
    expect(errorTokens('upstream ECONNREFUSED, ORA-00600 and java.lang.OutOfMemoryError; HTTP 503 after 120 s on proxy')).toEqual(['econnrefused', 'java.lang.outofmemoryerror', 'ora-00600', '503'].sort());
    expect(errorTokens('the disk was full for a while')).toEqual([]);
  });

  it('symptom words leave out stopwords, system names and error tokens', () => {
    expect(symptomWords('proxy2 timeouts with ECONNREFUSED from upstream', ['proxy2'])).toEqual(['from', 'timeouts', 'upstream'].filter((w) => w !== 'from'));
  });

  it('one shared common word is not enough; a shared error token or system plus a word is', () => {
    expect(sharedEvidence({ text: 'disk latency high', systems: ['db-1'] }, { text: 'cpu latency on web', systems: ['web-1'] }).matches).toBe(false);
    const e = sharedEvidence({ text: 'nginx 502 upstream', systems: ['proxy2'] }, { text: 'clients saw 502', systems: ['PROXY2'] });
    expect(e).toMatchObject({ matches: true, systems: ['proxy2'], error_tokens: ['502'] });
  });
});

describe('same-outage rule', () => {
  const a = toIncident(memory('a', 'h1', ['db-2'], '2026-01-01T00:00:00.000Z'));
  const b = toIncident(memory('b', 'h2', ['DB-2', 'app'], '2026-01-01T05:59:00.000Z'));
  const late = toIncident(memory('c', 'h2', ['db-2'], '2026-01-01T06:01:00.000Z'));
  const elsewhere = toIncident(memory('d', 'h2', ['db-3'], '2026-01-01T00:10:00.000Z'));

  it('links incidents sharing a system opened within 6 h, symmetrically, and nothing else', () => {
    expect(sameOutage(a, b)).toBe(true);
    expect(sameOutage(b, a)).toBe(true);
    expect(sameOutage(a, late)).toBe(false);
    expect(sameOutage(a, elsewhere)).toBe(false);
    expect(sameOutage(a, a)).toBe(false);
  });

  it('every host derives the same links whatever order it holds the records in', () => {
    const links = (all: typeof a[]) => Object.fromEntries(withRuleLinks(all, all).map((i) => [i.id, i.related.map((r) => r.id).sort()]));
    expect(links([a, b, late, elsewhere])).toEqual(links([elsewhere, late, b, a]));
    expect(links([a, b, late, elsewhere])['a']).toEqual(['b']);
  });
});
