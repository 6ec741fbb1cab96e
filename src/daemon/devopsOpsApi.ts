import { z } from 'zod';
import { MAX_TAG_CHARS } from '../constants.js';
import { DEVOPS_LIST_SCAN } from '../devops/opsConstants.js';
import { listVersions, versionText } from '../devops/versionHistory.js';
import type { MemoryDoc } from '../domain/Memory.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { fitToBudget } from '../domain/replyBudget.js';
import { NotFoundError } from '../errors.js';
import type { DocStore } from '../store/DocStore.js';
import { method, methods } from './method.js';

export interface DevopsOpsApiDeps {
  memories: MemoryService;
  /** Holds each memory's Automerge document, viewed at a past change to read a version. */
  store: Pick<DocStore, 'load'>;
  /** This host's name: health records default to it. */
  machine: string;
}

const RecordsInput = z.object({
  category: z.string().min(1).max(40),
  tags: z.array(z.string().min(1).max(MAX_TAG_CHARS)).min(1).max(8).describe('Records carrying all of these tags.'),
  limit: z.number().int().min(1).max(DEVOPS_LIST_SCAN).optional(),
});
const VersionsInput = z.object({ memory_id: z.string().min(1).max(64) });
const VersionInput = VersionsInput.extend({ version: z.number().int().min(1).max(1_000_000) });

/**
 * Socket methods of the DevOps records (runbooks, playbooks, infrastructure state, health records,
 * projects). Everything else they need is a memory method; these two read what those cannot: a
 * catalog listing by tags without a query, and a document's past versions.
 */
export function buildDevopsOpsApi({ memories, store, machine }: DevopsOpsApiDeps) {
  const versions = async (id: string) => {
    const history = await memories.history(id);
    const doc = await store.load<MemoryDoc>('memories', id);
    if (!doc) throw new NotFoundError('memory', id);
    return { doc, history };
  };
  return methods({
    'devops.host': method(z.object({}), () => ({ name: machine })),
    'devops.records': method(RecordsInput, async (p) => fitToBudget(await memories.listLive({ category: p.category, tags: p.tags }, p.limit ?? DEVOPS_LIST_SCAN))),
    'devops.versions': method(VersionsInput, async (p) => {
      const { doc, history } = await versions(p.memory_id);
      return { id: p.memory_id, versions: listVersions(doc, history).map(({ content: _c, ...v }) => v) };
    }),
    'devops.version': method(VersionInput, async (p) => {
      const { doc, history } = await versions(p.memory_id);
      return versionText(doc, history, p.memory_id, p.version);
    }),
  });
}
