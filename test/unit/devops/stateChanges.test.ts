import { describe, expect, it } from 'vitest';
import { diffStates, flatten } from '../../../src/devops/stateChanges.js';

describe('infrastructure state changes', () => {
  it('says what went from what to what, where and on which day', () => {
    const changes = diffStates('db-2', 'versions', { postgres: '15.4', redis: '7.2' }, { postgres: '16.1', pgbouncer: '1.21' }, '2026-12-01T10:00:00.000Z');
    expect(changes.map((c) => c.text)).toEqual([
      'pgbouncer appeared (1.21) on db-2 on Tuesday 2026-12-01',
      'postgres went from 15.4 to 16.1 on db-2 on Tuesday 2026-12-01',
      'redis went away (was 7.2) on db-2 on Tuesday 2026-12-01',
    ]);
  });

  it('compares nested state by path, arrays of scalars as one value, and finds nothing in equal states', () => {
    expect([...flatten({ services: { nginx: 'active', db: { port: 5432 } }, ports: [80, 443] }).keys()]).toEqual(['services.nginx', 'services.db.port', 'ports']);
    expect(diffStates('h', 't', { a: { b: [1, 2] } }, { a: { b: [1, 2] } }, '2026-12-01T00:00:00Z')).toEqual([]);
    expect(diffStates('h', 'disk', { '/var': { used: 61 } }, { '/var': { used: 90 } }, '2026-12-06T00:00:00Z')[0]).toMatchObject({ path: '/var.used', from: 61, to: 90 });
  });
});
