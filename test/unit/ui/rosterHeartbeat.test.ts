import { describe, expect, it } from 'vitest';
import { heartbeat } from '../../../src/ui/pages/rosterPage.js';

describe('roster page heartbeat column', () => {
  it('shows the age in whole units, whatever tenths the roster reports', () => {
    // RosterService rounds the age to a tenth of a second: 0.2 showed as "0.2 s ago", 7260.4 as "7260.4 s ago".
    expect(heartbeat({ heartbeat_age_s: 0.2 })).toBe('0 s ago');
    expect(heartbeat({ heartbeat_age_s: 42.6 })).toBe('43 s ago');
    expect(heartbeat({ heartbeat_age_s: 7260.4 })).toBe('2 h ago');
    expect(heartbeat({ heartbeat_age_s: null })).toBe('not heard since this host started');
  });
});
