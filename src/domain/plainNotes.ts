import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import type { ExportedMemory } from './memoryExport.js';
import { StoreMemoryInput } from './memorySchemas.js';

/**
 * Notes a team already has, brought into the mesh by `mesh import`: JSON lines holding only what a
 * person would write (`{ content, category, tags?, project? }`), or Markdown / plain-text files.
 * Each note gets an id derived from its text, so importing the same notes twice adds nothing.
 */
export const PlainNote = StoreMemoryInput.pick({ content: true, category: true, tags: true, project: true, context: true, scope: true }).strict();
export type PlainNote = z.infer<typeof PlainNote>;

/** Who and where a plain note is recorded as coming from, and the defaults a person chose. */
export interface NoteOrigin {
  machine: string;
  agent: string;
  now: string;
  category?: string | undefined;
  tags?: string[] | undefined;
  project?: string | undefined;
}

export const DEFAULT_NOTE_CATEGORY = 'project';

/**
 * A UUID (version 8: "custom", RFC 9562) from a hash of what makes a note this note: the same text
 * in the same category and project is the same memory, wherever and however often it is imported.
 */
export function noteId(note: Pick<PlainNote, 'content' | 'category' | 'project'>): string {
  const h = createHash('sha256').update(`${note.category ?? DEFAULT_NOTE_CATEGORY}\0${note.project ?? ''}\0${note.content}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A plain note as an exported memory: its derived id, the defaults, and this host as its origin. */
export function noteToMemory(note: PlainNote, origin: NoteOrigin): ExportedMemory {
  const category = note.category ?? origin.category ?? DEFAULT_NOTE_CATEGORY;
  const project = note.project ?? origin.project;
  const tags = [...new Set([...(origin.tags ?? []), ...(note.tags ?? [])])];
  return {
    ...note,
    id: noteId({ content: note.content, category, project }),
    category,
    ...(project !== undefined ? { project } : {}),
    ...(tags.length ? { tags } : {}),
    machine: origin.machine,
    agent: origin.agent,
    created_at: origin.now,
    updated_at: origin.now,
    deleted: false,
    deleted_at: null,
    deleted_reason: null,
  };
}

/** A JSON line that is not an export line: a plain note, or the reason it is not one. */
export function parsePlainNote(raw: unknown): { note: PlainNote } | { reason: string } {
  const parsed = PlainNote.safeParse(raw);
  if (parsed.success) return { note: parsed.data };
  return { reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'note'}: ${i.message}`).join('; ') };
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/**
 * A Markdown or plain-text file as notes: one per section of the highest heading level that has
 * two or more headings (a heading and the text under it stand alone), else the whole file.
 * Headings inside fenced code blocks do not split.
 */
export function textNotes(text: string, file: string): { content: string; context: string }[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const headings: { line: number; level: number }[] = [];
  let fenced = false;
  lines.forEach((l, i) => {
    if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
    const m = fenced ? null : HEADING.exec(l);
    if (m) headings.push({ line: i, level: m[1]!.length });
  });
  // The split level: the highest one with two or more headings (a lone `# Title` above `## ` sections does not split).
  const levels = [...new Set(headings.map((h) => h.level))].sort((a, b) => a - b);
  const level = levels.find((l) => headings.filter((h) => h.level === l).length >= 2);
  const splits = headings.filter((h) => h.level === level);
  const context = `imported from ${basename(file)}`;
  if (splits.length < 2) {
    const content = text.trim();
    return content ? [{ content, context }] : [];
  }
  const notes: { content: string; context: string }[] = [];
  // Text before the first section is a note of its own when it says more than a title.
  const preamble = lines.slice(0, splits[0]!.line).join('\n').trim();
  if (preamble.split('\n').some((l) => l.trim() && !HEADING.test(l))) notes.push({ content: preamble, context });
  splits.forEach((h, i) => {
    const content = lines.slice(h.line, splits[i + 1]?.line ?? lines.length).join('\n').trim();
    if (content) notes.push({ content, context: `${context}, section "${HEADING.exec(lines[h.line]!)![2]}"` });
  });
  return notes;
}

/** Files read as text notes rather than JSON lines. */
export function isTextNotesFile(file: string): boolean {
  return ['.md', '.markdown', '.txt', '.text'].includes(extname(file).toLowerCase());
}
