/**
 * Playbooks (Ansible, Terraform, Kubernetes manifests) are memories of category `deployments`
 * (kind `playbook`): the content is the playbook exactly as uploaded, the context names it for
 * search, and metadata holds what the check found. Checked before storing (playbookParse.ts) and
 * versioned like runbooks: a new upload with `playbook_id` is the next version of the same document.
 */
import type { Memory } from '../domain/Memory.js';
import { NotFoundError } from '../errors.js';
import { type Call, kindTag, listRecords, num, str, strs, typeTag } from './devopsRecords.js';
import { normaliseSystems } from './incidentEvidence.js';
import { checkPlaybook, type PlaybookSummary } from './playbookParse.js';
import type { UploadPlaybookInput } from './playbookSchemas.js';
import { refuseSecrets } from './secretGuard.js';
import { VersionedDocs } from './VersionedDocs.js';
import { PLAYBOOK_SUMMARY_ITEM_CHARS, PLAYBOOK_SUMMARY_ITEMS } from './opsConstants.js';

export const PLAYBOOK_CATEGORY = 'deployments';
export const PLAYBOOK_KIND = 'playbook';

export interface Playbook {
  id: string;
  name: string;
  type: string;
  description: string;
  systems: string[];
  summary: PlaybookSummary;
  version: number;
  machine: string;
  project: string;
  updated_at: string;
  content: string;
}

export function isPlaybook(m: Memory): boolean {
  return m.category === PLAYBOOK_CATEGORY && m.metadata.kind === PLAYBOOK_KIND && !m.deleted;
}

export function toPlaybook(m: Memory): Playbook {
  const md = m.metadata;
  const summary = typeof md.summary === 'object' && md.summary !== null && !Array.isArray(md.summary) ? md.summary : {};
  return {
    id: m.id,
    name: str(md.name),
    type: str(md.type),
    description: str(md.description),
    systems: strs(md.systems),
    summary: { documents: num(summary.documents, 1), items: strs(summary.items) },
    version: num(md.version, 1),
    machine: m.machine,
    project: m.project,
    updated_at: m.updated_at,
    content: m.content,
  };
}

export class PlaybookService {
  readonly versions: VersionedDocs;
  constructor(private readonly call: Call) {
    this.versions = new VersionedDocs(call);
  }

  async upload(input: UploadPlaybookInput): Promise<Playbook> {
    // Secrets first: a file holding one must not reach the parser, whose diagnostics quote the text.
    await refuseSecrets(input.content, 'playbook');
    const summary = await checkPlaybook(input.type, input.content);
    const systems = normaliseSystems(input.systems ?? []);
    const summaryMeta = { documents: summary.documents, items: summary.items.slice(0, PLAYBOOK_SUMMARY_ITEMS).map((i) => i.slice(0, PLAYBOOK_SUMMARY_ITEM_CHARS)) };
    const context = `Playbook ${input.name} (${input.type})${input.description ? `: ${input.description}` : ''}. ${summary.items.slice(0, 30).join('; ')}`.slice(0, 2_000);
    const tags = [kindTag(PLAYBOOK_KIND), typeTag(input.type), ...systems.slice(0, 20)];
    if (input.playbook_id) {
      const current = await this.get(input.playbook_id);
      const m = await this.call('memory.update', {
        memory_id: current.id,
        content: input.content,
        context,
        tags,
        ...(input.project ? { project: input.project } : {}),
        metadata: { name: input.name, type: input.type, description: input.description ?? current.description, systems, summary: summaryMeta, version: input.content === current.content ? current.version : current.version + 1 },
      });
      return toPlaybook(m);
    }
    const m = await this.call('memory.store', {
      content: input.content,
      category: PLAYBOOK_CATEGORY,
      context,
      tags,
      ...(input.project ? { project: input.project } : {}),
      metadata: { kind: PLAYBOOK_KIND, name: input.name, type: input.type, description: input.description ?? '', systems, summary: summaryMeta, version: 1 },
    });
    return toPlaybook(m);
  }

  async get(id: string): Promise<Playbook> {
    const m = await this.call('memory.retrieve', { memory_id: id });
    if (!isPlaybook(m)) throw new NotFoundError('playbook', id);
    return toPlaybook(m);
  }

  async list(limit = 50): Promise<Playbook[]> {
    return (await listRecords(this.call, PLAYBOOK_CATEGORY, [kindTag(PLAYBOOK_KIND)], limit)).filter(isPlaybook).map(toPlaybook);
  }
}
