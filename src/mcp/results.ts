import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toMeshError } from '../errors.js';
import type { Memory } from '../domain/Memory.js';

export function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/**
 * Domain failures become tool errors a model can act on: the code and the reason, as text.
 * No structuredContent: clients validate it against the tool's output schema even on errors.
 */
export function failure(err: unknown): CallToolResult {
  const e = toMeshError(err);
  return { content: [{ type: 'text', text: `${e.code}: ${e.message}` }], isError: true };
}

/** Wraps a handler so any daemon or domain error comes back as an `isError` result with its reason. */
export function guarded<A>(fn: (args: A) => Promise<CallToolResult>) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (err) {
      return failure(err);
    }
  };
}

const SNIPPET = 240;

export function memoryLine(m: Memory & { score?: number }, i?: number): string {
  const head = [i !== undefined ? `${i + 1}.` : '', m.score !== undefined ? `[${m.score}]` : '', m.id, `(${m.category}`, m.project ? `· ${m.project}` : '', `· ${m.machine}`, m.deleted ? '· deleted' : '']
    .filter(Boolean)
    .join(' ');
  const tags = m.tags.length ? ` #${m.tags.join(' #')}` : '';
  const text = m.content.length > SNIPPET ? `${m.content.slice(0, SNIPPET)}…` : m.content;
  return `${head})${tags}\n   ${text.replace(/\n/g, '\n   ')}`;
}

export function memoryText(m: Memory): string {
  const lines = [
    `id: ${m.id}`,
    `category: ${m.category}${m.project ? `  project: ${m.project}` : ''}  scope: ${m.scope}`,
    `machine: ${m.machine}  agent: ${m.agent}`,
    `created: ${m.created_at}  updated: ${m.updated_at}`,
  ];
  if (m.tags.length) lines.push(`tags: ${m.tags.join(', ')}`);
  if (m.context) lines.push(`context: ${m.context}`);
  if (m.deleted) lines.push(`deleted: ${m.deleted_at ?? ''}${m.deleted_reason ? ` (${m.deleted_reason})` : ''}`);
  if (Object.keys(m.metadata).length) lines.push(`metadata: ${JSON.stringify(m.metadata)}`);
  lines.push('', m.content);
  return lines.join('\n');
}

export function listText(title: string, memories: (Memory & { score?: number })[]): string {
  if (memories.length === 0) return `${title}: none`;
  return `${title} (${memories.length}):\n${memories.map((m, i) => memoryLine(m, i)).join('\n')}`;
}
