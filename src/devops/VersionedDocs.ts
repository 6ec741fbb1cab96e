/**
 * Versions of runbooks and playbooks, shared by both: the list of versions (from the document's own
 * history, see versionHistory.ts), one version's text, and a unified diff between two versions
 * (the `diff` package, maintained, the format `patch` and `git apply` read).
 */
import { diff as diffLibrary } from './lazyLibraries.js';
import type { Call } from './devopsRecords.js';
import type { VersionInfo } from './versionHistory.js';

export type { VersionInfo } from './versionHistory.js';

export class VersionedDocs {
  constructor(private readonly call: Call) {}

  async versions(id: string): Promise<VersionInfo[]> {
    return (await this.call('devops.versions', { memory_id: id })).versions;
  }

  async text(id: string, version: number): Promise<VersionInfo & { content: string }> {
    return this.call('devops.version', { memory_id: id, version });
  }

  /** A unified diff from version `from` to version `to` (labelled with who made each, where). */
  async diff(id: string, from: number, to: number): Promise<{ from: VersionInfo; to: VersionInfo; diff: string }> {
    const [a, b] = await Promise.all([this.text(id, from), this.text(id, to)]);
    const label = (v: VersionInfo) => `${id} v${v.version}`;
    const header = (v: VersionInfo) => `${v.at} ${v.verified_host ?? v.machine ?? '?'}${v.agent ? ` ${v.agent}` : ''}`;
    const diff = diffLibrary().createTwoFilesPatch(label(a), label(b), withNewline(a.content), withNewline(b.content), header(a), header(b), { context: 3 });
    const { content: _a, ...fromInfo } = a;
    const { content: _b, ...toInfo } = b;
    return { from: fromInfo, to: toInfo, diff };
  }
}

/** Without a final newline the patch says "\ No newline at end of file" for every text. */
const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
