/**
 * One answer for "show me this runbook or playbook": the current text with its versions, one
 * version's text, or a diff between two versions. Shared by get_versions and `mesh runbook show`.
 */
import { NotFoundError } from '../errors.js';
import type { Call } from './devopsRecords.js';
import { runbookText, versionLine } from './opsText.js';
import { isPlaybook, toPlaybook } from './PlaybookService.js';
import { isRunbook, toRunbook } from './RunbookService.js';
import type { GetVersionsInput } from './runbookSchemas.js';
import { VersionedDocs } from './VersionedDocs.js';
import type { VersionInfo } from './versionHistory.js';

export interface VersionView {
  id: string;
  kind: 'runbook' | 'playbook';
  versions: VersionInfo[];
  version?: number;
  content?: string;
  diff?: string;
  text: string;
}

export async function versionView(call: Call, input: GetVersionsInput): Promise<VersionView> {
  const m = await call('memory.retrieve', { memory_id: input.id });
  const kind = isRunbook(m) ? 'runbook' : isPlaybook(m) ? 'playbook' : undefined;
  if (!kind) throw new NotFoundError('runbook or playbook', input.id);
  const docs = new VersionedDocs(call);
  const versions = await docs.versions(m.id);
  const list = `Versions:\n${versions.map(versionLine).join('\n')}`;
  if (input.diff_from !== undefined) {
    const to = input.version ?? Math.max(...versions.map((v) => v.version));
    const d = await docs.diff(m.id, input.diff_from, to);
    return { id: m.id, kind, versions, diff: d.diff, text: `${kind} ${m.id}: v${input.diff_from} → v${to}\n${d.diff}` };
  }
  if (input.version !== undefined) {
    const v = await docs.text(m.id, input.version);
    return { id: m.id, kind, versions, version: v.version, content: v.content, text: `${kind} ${m.id} ${versionLine(v)}\n\n${v.content}` };
  }
  const head = kind === 'runbook' ? runbookText(toRunbook(m)) : `${m.id} v${toPlaybook(m).version} ${toPlaybook(m).name} [${toPlaybook(m).type}]\n\n${m.content}`;
  return { id: m.id, kind, versions, content: m.content, text: `${head}\n\n${list}` };
}
