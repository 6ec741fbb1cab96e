/**
 * Checks a playbook before it is stored, so a broken one is refused with a position rather than
 * found broken at 3 a.m. YAML (Ansible, Kubernetes) goes through the `yaml` package, whose errors
 * carry line and column; every document of a multi-document manifest is checked. Terraform: no HCL
 * parser is installed. Checked on the registry (2026-12): `@cdktf/hcl2json` 0.21 (HashiCorp's Go
 * parser compiled to WASM, last release 2025-09), its fork `@cdktn/hcl2json` 0.24 (2026-09, the
 * candidate if a real parse is wanted: a new dependency), `hcl2-parser` 1.0.3 (GopherJS, 2024-12).
 * Until then a light sanity check: strings, heredocs and comments closed, brackets balanced, at
 * least one top-level block; `terraform validate` remains the real check.
 */
import { yaml } from './lazyLibraries.js';
import { InvalidInputError } from '../errors.js';

export const PLAYBOOK_TYPES = ['ansible', 'terraform', 'kubernetes'] as const;
export type PlaybookType = (typeof PLAYBOOK_TYPES)[number];

/** What the check found: documents, and the plays / resources / blocks named in them. */
export interface PlaybookSummary {
  documents: number;
  items: string[];
}

function refuse(message: string, line: number, column: number, extra: Record<string, unknown> = {}): never {
  throw new InvalidInputError(`${message} (line ${line}, column ${column})`, { line, column, ...extra });
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseYaml(content: string): unknown[] {
  const docs = yaml().parseAllDocuments(content, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  const values: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0] ?? { line: 0, col: 0 };
      refuse(`YAML error ${err.code}: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, at.line, at.col, { yaml_code: err.code });
    }
    // Aliases expand at most the parser's default count: a billion-laughs document is refused, not expanded.
    try {
      values.push(doc.toJS());
    } catch (err) {
      throw new InvalidInputError(`the YAML could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return values;
}

function checkAnsible(content: string): PlaybookSummary {
  const docs = parseYaml(content).filter((d) => d !== null && d !== undefined);
  if (docs.length === 0) throw new InvalidInputError('the Ansible playbook is empty');
  const items: string[] = [];
  docs.forEach((doc, d) => {
    if (!Array.isArray(doc)) throw new InvalidInputError(`an Ansible playbook (or task file) is a list of plays or tasks; document ${d + 1} is ${isMap(doc) ? 'a mapping' : typeof doc}`, { document: d + 1 });
    doc.forEach((play, i) => {
      if (!isMap(play)) throw new InvalidInputError(`item ${i + 1} of document ${d + 1} is not a mapping (a play or a task)`, { document: d + 1, item: i + 1 });
      const label = typeof play.name === 'string' ? play.name : undefined;
      if ('hosts' in play) items.push(`play ${label ?? `#${i + 1}`} on ${String(play.hosts)}`);
      else if ('import_playbook' in play || 'ansible.builtin.import_playbook' in play) items.push(`import ${String(play.import_playbook ?? play['ansible.builtin.import_playbook'])}`);
      else items.push(`task ${label ?? `#${i + 1}`}`);
    });
  });
  return { documents: docs.length, items };
}

function checkKubernetes(content: string): PlaybookSummary {
  const docs = parseYaml(content);
  const items: string[] = [];
  docs.forEach((doc, d) => {
    if (doc === null || doc === undefined) return; // an empty document between `---` separators
    if (!isMap(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
      throw new InvalidInputError(`document ${d + 1} of the manifest is not a Kubernetes object (it needs apiVersion and kind)`, { document: d + 1 });
    }
    const meta = isMap(doc.metadata) ? doc.metadata : {};
    items.push(`${doc.kind}/${typeof meta.name === 'string' ? meta.name : '?'}${typeof meta.namespace === 'string' ? ` in ${meta.namespace}` : ''}`);
  });
  if (items.length === 0) throw new InvalidInputError('the manifest has no Kubernetes object');
  return { documents: items.length, items };
}

const CLOSER: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
const TF_BLOCK = /^(resource|data|module|variable|output|provider|terraform|locals|moved|import|check|removed)\b(.*)\{\s*$/;

/** The light HCL check (see the file comment): positions are 1-based, like the YAML parser's. */
export function checkTerraform(content: string): PlaybookSummary {
  const stack: { ch: string; line: number; col: number }[] = [];
  let line = 1;
  let col = 0;
  let i = 0;
  const n = content.length;
  const advance = () => {
    const ch = content[i++]!;
    if (ch === '\n') {
      line++;
      col = 0;
    } else col++;
    return ch;
  };
  while (i < n) {
    const ch = advance();
    const next = content[i];
    if (ch === '#' || (ch === '/' && next === '/')) {
      while (i < n && content[i] !== '\n') advance();
    } else if (ch === '/' && next === '*') {
      const at = { line, col };
      advance();
      while (i < n && !(content[i] === '*' && content[i + 1] === '/')) advance();
      if (i >= n) refuse('unclosed /* comment', at.line, at.col);
      advance();
      advance();
    } else if (ch === '"') {
      const at = { line, col };
      while (i < n && content[i] !== '"' && content[i] !== '\n') {
        if (advance() === '\\') advance();
      }
      if (i >= n || content[i] === '\n') refuse('unterminated string', at.line, at.col);
      advance();
    } else if (ch === '<' && next === '<' && /^<-?[A-Za-z_]\w*\s*\n/.test(content.slice(i))) {
      const at = { line, col };
      const marker = /^<-?([A-Za-z_]\w*)/.exec(content.slice(i))![1]!;
      while (i < n && content[i] !== '\n') advance();
      let closed = false;
      while (i < n) {
        advance(); // the newline
        const end = content.indexOf('\n', i);
        const text = content.slice(i, end === -1 ? n : end);
        while (i < n && content[i] !== '\n') advance();
        if (text.trim() === marker) {
          closed = true;
          break;
        }
      }
      if (!closed) refuse(`heredoc <<${marker} is never closed`, at.line, at.col);
    } else if (ch in CLOSER) {
      stack.push({ ch, line, col });
    } else if (ch === '}' || ch === ']' || ch === ')') {
      const open = stack.pop();
      if (!open) refuse(`unexpected "${ch}"`, line, col);
      if (CLOSER[open.ch] !== ch) refuse(`"${ch}" closes "${open.ch}" opened at line ${open.line}, column ${open.col}`, line, col);
    }
  }
  const open = stack.pop();
  if (open) refuse(`"${open.ch}" is never closed`, open.line, open.col);
  const items = content
    .split('\n')
    .map((l) => TF_BLOCK.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], ...[...m[2]!.matchAll(/"([^"]*)"/g)].map((x) => x[1])].join('.'));
  if (items.length === 0) throw new InvalidInputError('no Terraform block found (resource, module, variable, provider, terraform, ...)');
  return { documents: 1, items };
}

export function checkPlaybook(type: PlaybookType, content: string): PlaybookSummary {
  if (type === 'terraform') return checkTerraform(content);
  return type === 'ansible' ? checkAnsible(content) : checkKubernetes(content);
}
