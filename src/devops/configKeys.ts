import { yaml } from './lazyLibraries.js';

/**
 * A config file read as settings: `key → value`, so two versions (or two hosts) can be compared
 * by what they set rather than by line position. JSON and YAML are flattened to dotted paths
 * (`cluster.routing.allocation`); other files are read line by line with the shapes ops files use:
 * JVM options (`-Xmx4g` → `-Xmx` = `4g`, `-XX:+UseG1GC` → `-XX:UseG1GC` = `+`), `key = value`,
 * `key: value`, `key value` (sshd, nginx), INI sections (`[mysqld]` prefixes its keys). A key set
 * twice (nginx `listen`, ssh `Host`) is numbered from its second occurrence (`listen#2`).
 */
export type ConfigFormat = 'json' | 'yaml' | 'lines';

export interface ParsedConfig {
  format: ConfigFormat;
  settings: Map<string, string>;
  /** The meaningful lines: trimmed, without comments and blank lines (what line drift compares). */
  lines: string[];
}

/** The format a file is read in: by its path or type name first, then by what its content parses as. */
export function configFormat(path: string, content: string): ConfigFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.yml') || p.endsWith('.yaml')) return 'yaml';
  const t = content.trimStart();
  if ((t.startsWith('{') || t.startsWith('[')) && tryJson(content) !== undefined) return 'json';
  return 'lines';
}

function tryJson(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses a config; a JSON/YAML file that does not parse is read as lines (its drift is still visible). */
export function parseConfig(path: string, content: string): ParsedConfig {
  const lines = meaningfulLines(content);
  const format = configFormat(path, content);
  if (format === 'json') {
    const value = tryJson(content);
    if (value !== undefined) return { format, settings: flatten(value), lines };
  }
  if (format === 'yaml') {
    const docs = yaml().parseAllDocuments(content);
    const list = Array.isArray(docs) ? docs : [];
    if (list.length > 0 && list.every((d) => d.errors.length === 0)) {
      const values = list.map((d) => d.toJS() as unknown);
      return { format, settings: flatten(values.length === 1 ? values[0] : values), lines };
    }
  }
  return { format: 'lines', settings: lineSettings(lines), lines };
}

/** Lines without comments (`#`, `;`, `//` at the start) and blanks, trimmed, inner whitespace collapsed. */
export function meaningfulLines(content: string): string[] {
  const out: string[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
    out.push(line);
  }
  return out;
}

function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix || '.', Array.isArray(value) ? '[]' : '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out.set(prefix || '.', value === undefined ? 'null' : JSON.stringify(value));
  return out;
}

const JVM_BOOLEAN = /^(-XX:)([+-])(.+)$/;
const JVM_ASSIGN = /^(-XX:[^=]+|-D[^=]+)=(.*)$/;
const JVM_SIZED = /^(-Xm[sxn]|-Xss)(.+)$/;
const ASSIGN = /^([^=:\s]+)\s*[=:]\s*(.*)$/;
const WORDS = /^(\S+)\s+(.*)$/;

/** One line's key and value in the line-oriented shapes above. */
export function lineSetting(line: string): [string, string] {
  let m = JVM_BOOLEAN.exec(line);
  if (m) return [`${m[1]}${m[3]}`, m[2]!];
  m = JVM_ASSIGN.exec(line) ?? JVM_SIZED.exec(line);
  if (m) return [m[1]!, m[2]!];
  // A JVM range prefix (`8-13:-XX:...`) or a bare flag (`-server`): the whole line is the key.
  if (line.startsWith('-') || /^\d+(-\d*)?:-/.test(line)) return [line, 'set'];
  m = ASSIGN.exec(line) ?? WORDS.exec(line);
  if (m) return [m[1]!, m[2]!.replace(/;$/, '').trim()];
  return [line.replace(/;$/, ''), 'set'];
}

function lineSettings(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const line of lines) {
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = `${header[1]}.`;
      continue;
    }
    const [key, value] = lineSetting(line);
    let name = `${section}${key}`;
    for (let n = 2; out.has(name); n++) name = `${section}${key}#${n}`;
    out.set(name, value);
  }
  return out;
}

export interface SettingChange {
  key: string;
  /** null: the key is not set on that side. */
  old: string | null;
  new: string | null;
}

/** The keys set differently in `b` than in `a`, in key order. */
export function settingChanges(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): SettingChange[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: SettingChange[] = [];
  for (const key of keys) {
    const o = a.get(key) ?? null;
    const n = b.get(key) ?? null;
    if (o !== n) out.push({ key, old: o, new: n });
  }
  return out;
}
