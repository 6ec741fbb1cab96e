import { describe, expect, it } from 'vitest';
import { openIssues } from '../../../src/devops/HealthRecordService.js';
import type { JsonValue, Memory } from '../../../src/domain/Memory.js';
import type { MemoryId } from '../../../src/types.js';
import { withSessionProject } from '../../../src/mcp/sessionProject.js';

const mem = (id: string, metadata: Record<string, JsonValue>, created = '2026-12-01T00:00:00.000Z'): Memory => ({
  id: id as MemoryId,
  content: '',
  category: 'monitoring',
  tags: [],
  context: '',
  project: '',
  scope: 'mesh',
  metadata,
  machine: 'elastic3',
  agent: 'cron',
  created_at: created,
  updated_at: created,
  updated_by: 'elastic3',
  deleted: false,
  deleted_at: null,
  deleted_reason: null,
  format_version: 1,
});

describe('health issue rule', () => {
  it('an issue is open until its own status says resolved or an action names it, whichever arrives first', () => {
    const issues = [mem('i1', { kind: 'health-issue', title: 'heap', status: 'open' }), mem('i2', { kind: 'health-issue', title: 'disk', status: 'open' }, '2026-12-02T00:00:00.000Z'), mem('i3', { kind: 'health-issue', title: 'ntp', status: 'resolved' })];
    const actions = [mem('a1', { kind: 'health-action', action: 'restart', resolves: ['i1'] })];
    expect(openIssues(issues, actions).map((i) => i.id)).toEqual(['i2']);
    expect(openIssues(issues, []).map((i) => i.id)).toEqual(['i2', 'i1']);
    // Records of other kinds in the listing are ignored.
    expect(openIssues([...issues, mem('x', { kind: 'health-record' })], []).map((i) => i.id)).toEqual(['i2', 'i1']);
  });
});

describe('session project', () => {
  it("fills the session's project into writes that have none, never over the caller's own", () => {
    expect(withSessionProject('memory.store', { content: 'x' }, 'search')).toEqual({ content: 'x', project: 'search' });
    expect(withSessionProject('memory.store', { content: 'x', project: 'web' }, 'search')).toEqual({ content: 'x', project: 'web' });
    expect(withSessionProject('task.create', { title: 't' }, 'search')).toEqual({ title: 't', project: 'search' });
    expect(withSessionProject('memory.search', { query: 'q' }, 'search')).toEqual({ query: 'q' });
    expect(withSessionProject('memory.store', { content: 'x' }, undefined)).toEqual({ content: 'x' });
  });
});
