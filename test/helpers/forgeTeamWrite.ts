import { randomUUID } from 'node:crypto';
import * as A from '@automerge/automerge';
import { hostAuthorship } from '../../src/authorship/hostAuthorship.js';
import type { MemoryDoc } from '../../src/domain/Memory.js';
import { homePaths } from '../../src/home.js';
import { readIdentity } from '../../src/identity/HostIdentity.js';
import { silentLogger } from '../../src/log.js';
import { DocStore } from '../../src/store/DocStore.js';
import { PROJECTORS } from '../../src/sync/projectors.js';

/**
 * A team-scoped memory written straight into a stopped host's store, under its own key (signed
 * changes, as its daemon would make them) but past its daemon's own refusal: what a compromised
 * member with a modified daemon sends. Returns the memory id.
 */
export async function forgeTeamMemory(home: string, team: string, content: string): Promise<string> {
  const paths = homePaths(home);
  const identity = await readIdentity(paths.identity);
  if (!identity) throw new Error(`${home} has no identity`);
  const authorship = hostAuthorship(identity);
  const store = new DocStore(paths.db, silentLogger(), authorship.actor, authorship.signer);
  await store.open();
  const id = randomUUID();
  const now = Date.now();
  try {
    await store.mutate<MemoryDoc>('memories', id, () => {
      const doc = A.change(A.init<MemoryDoc>({ actor: authorship.actor }), { time: Math.floor(now / 1000) }, (d) => {
        Object.assign(d, { v: 1, id, content, category: 'project', tags: [], context: '', project: '', scope: 'team', team, metadata: {}, machine: identity.name, agent: 'forged', created_at: now, updated_at: now, updated_by: 'forged', deleted: false, deleted_at: null, deleted_reason: null });
      });
      const view = PROJECTORS.memories!.view(doc);
      return { doc, view, scope: 'team' };
    });
  } finally {
    await store.close();
  }
  return id;
}
