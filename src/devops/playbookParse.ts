/**
 * Checks a playbook before it is stored, so a broken one is refused with a position rather than
 * found broken at 3 a.m. YAML (Ansible, Kubernetes) goes through the `yaml` package, whose errors
 * carry line and column; every document of a multi-document manifest is checked. Terraform goes
 * through HashiCorp's HCL parser (terraformParse.ts), whose diagnostics carry line and column too.
 */
import { yaml } from './lazyLibraries.js';
import { InvalidInputError } from '../errors.js';
import { refuseAt } from './playbookRefusal.js';
import { checkTerraform } from './terraformParse.js';

export const PLAYBOOK_TYPES = ['ansible', 'terraform', 'kubernetes'] as const;
export type PlaybookType = (typeof PLAYBOOK_TYPES)[number];

/** What the check found: documents, and the plays / resources / blocks named in them. */
export interface PlaybookSummary {
  documents: number;
  items: string[];
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
      refuseAt(`YAML error ${err.code}: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, at.line, at.col, { yaml_code: err.code });
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

export async function checkPlaybook(type: PlaybookType, content: string): Promise<PlaybookSummary> {
  if (type === 'terraform') return checkTerraform(content);
  return type === 'ansible' ? checkAnsible(content) : checkKubernetes(content);
}
