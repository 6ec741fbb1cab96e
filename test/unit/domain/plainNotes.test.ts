import { describe, expect, it } from 'vitest';
import { ExportedMemory } from '../../../src/domain/memoryExport.js';
import { noteId, noteToMemory, parsePlainNote, textNotes } from '../../../src/domain/plainNotes.js';

describe('plain notes', () => {
  it('derive one id from text, category and project: the same note twice is one memory', () => {
    const a = noteId({ content: 'x', category: 'project' });
    expect(a).toBe(noteId({ content: 'x' }));
    expect(a).not.toBe(noteId({ content: 'x', category: 'runbooks' }));
    expect(a).not.toBe(noteId({ content: 'x', project: 'p' }));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('become export lines with the origin and the defaults a person chose', () => {
    const parsed = parsePlainNote({ content: 'grafana on :3000', tags: ['grafana'] });
    if (!('note' in parsed)) throw new Error(parsed.reason);
    const m = ExportedMemory.parse(noteToMemory(parsed.note, { machine: 'box', agent: 'mesh-cli:me', now: '2026-12-06T00:00:00.000Z', category: 'monitoring', tags: ['imported'] }));
    expect(m).toMatchObject({ category: 'monitoring', tags: ['imported', 'grafana'], machine: 'box', agent: 'mesh-cli:me', deleted: false });
    expect(m.id).toBe(noteId({ content: 'grafana on :3000', category: 'monitoring' }));
    expect('reason' in parsePlainNote({ hello: 'world' })).toBe(true);
  });

  it('split Markdown at the highest heading level with two or more headings, never inside code', () => {
    const md = '# Runbook\n\n## Restart\nsystemctl restart x\n```\n## not a heading\n```\n\n## Drain\nkubectl drain n7\n';
    const notes = textNotes(md, '/tmp/runbook.md');
    expect(notes.map((n) => n.content)).toEqual(['## Restart\nsystemctl restart x\n```\n## not a heading\n```', '## Drain\nkubectl drain n7']);
    expect(notes[1]!.context).toBe('imported from runbook.md, section "Drain"');
    expect(textNotes('intro text\n# A\na\n# B\nb', 'n.md').map((n) => n.content)).toEqual(['intro text', '# A\na', '# B\nb']);
    expect(textNotes('just one note\n', 'n.txt')).toEqual([{ content: 'just one note', context: 'imported from n.txt' }]);
    expect(textNotes('  \n', 'n.txt')).toEqual([]);
  });
});
