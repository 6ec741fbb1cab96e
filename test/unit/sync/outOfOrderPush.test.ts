import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorForPeer } from '../../../src/authorship/actorBinding.js';
import { AuthorshipGuard } from '../../../src/authorship/AuthorshipGuard.js';
import { changeMeta } from '../../../src/authorship/changeMeta.js';
import { changeSigner } from '../../../src/authorship/changeSignatures.js';
import { signaturesFor } from '../../../src/authorship/replySignatures.js';
import { decodeRecords } from '../../../src/authorship/signatureRecords.js';
import type { Memory, MemoryDoc } from '../../../src/domain/Memory.js';
import { silentLogger } from '../../../src/log.js';
import type { MemberRecord } from '../../../src/mesh/Membership.js';
import { DocApplier } from '../../../src/sync/DocApplier.js';
import type { DocPayload } from '../../../src/sync/messages.js';
import { RejectionLog } from '../../../src/sync/RejectionLog.js';
import { systemClock } from '../../../src/sync/SyncPorts.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { StaticMembership } from '../../helpers/staticMembership.js';
import { tmpHome } from '../../helpers/tmpHome.js';

async function signingHost() {
  const key = await generateKeyPair('Ed25519');
  const peer = peerIdFromPrivateKey(key).toString();
  return { peer, author: { actor: actorForPeer(peer), signer: changeSigner(peer, key.raw) } };
}

const member = (name: string): MemberRecord => ({ name, addrs: [], teams: [], team_admin: [], team_roles: {}, admin: false, actor: null, added_by: name, added_at: 0, removed: false, removed_at: null });

/**
 * Issue 16 item 5(b) audit, the apply point: two pushes of one author's consecutive edits can
 * arrive out of order (each tick's writes go in their own push request, and a loaded host serves
 * requests concurrently). The later edit alone names history this host lacks: Automerge queues it
 * inside the document, and the merge path used to cache that document. When the earlier edit
 * arrived, the merge applied both, but the write stored only the signature records that came with
 * the earlier push. This host then served the later edit unsigned, and every host that got it from
 * here refused it (AuthorshipGuard: "unsigned change claims the actor of ..."): an edit a host
 * could miss for minutes (a refused version is retried after REJECTED_RETRY_MS), or for good when
 * the author was gone. The store now keeps the records of changes Automerge holds back and stores
 * them with the merge that applies them. Real stores, signers and guards; the two pushes are
 * applied in the bad order.
 */
describe('pushes of one author applied out of order', () => {
  let home: ReturnType<typeof tmpHome>;
  let stacks: Awaited<ReturnType<typeof openStack>>[];

  beforeEach(() => {
    home = tmpHome();
    stacks = [];
  });
  afterEach(async () => {
    for (const s of stacks) await s.close();
    home.cleanup();
  });

  it('never leave this host holding a change whose signature it did not keep, so what it serves is accepted', async () => {
    const [a, b, c] = [await signingHost(), await signingHost(), await signingHost()];
    const members = new Map([a, b, c].map((h, i) => [h.peer, member(`host${i}`)]));
    const membership = { get: (p: string) => members.get(p), list: () => [...members] };
    const author = await openStack(`${home.dir}/a`, { author: a.author });
    const relay = await openStack(`${home.dir}/b`, { author: b.author });
    stacks.push(author, relay);
    const rejections = new RejectionLog(systemClock);
    const applier = new DocApplier({
      store: relay.store,
      membership: new StaticMembership([a.peer, b.peer, c.peer]),
      logger: silentLogger(),
      guards: [new AuthorshipGuard({ membership, load: (col, id) => relay.store.load(col, id), legacyOpen: () => false })],
      rejections,
      onRemoteErase: () => undefined,
    });

    // The memory as both hosts have it, then two edits on the author, each pushed as the Pusher does.
    const m = await author.memories.store({ content: 'broker lag runbook' }, ACTOR);
    const d0 = (await author.store.load<MemoryDoc>('memories', m.id))!;
    const full: DocPayload = { c: 'memories', id: m.id, heads: A.getHeads(d0), full: A.save(d0), view: m, sigs: (await author.store.signatures('memories', m.id))! };
    expect(await applier.apply(a.peer, full)).toBe('applied');
    const pushOf = async (edit: () => Promise<Memory>): Promise<DocPayload> => {
      const before = (await author.store.load<MemoryDoc>('memories', m.id))!;
      await edit();
      const after = (await author.store.load<MemoryDoc>('memories', m.id))!;
      const changes = A.getChanges(before, after);
      return { c: 'memories', id: m.id, heads: A.getHeads(after), changes, ...signaturesFor(await author.store.signatures('memories', m.id), changes) };
    };
    const push1 = await pushOf(() => author.memories.update({ memory_id: m.id, metadata: { w1: 'first' } }, ACTOR));
    const push2 = await pushOf(() => author.memories.update({ memory_id: m.id, metadata: { w2: 'second' } }, ACTOR));

    // The second arrives first: its history is missing here.
    expect(await applier.apply(a.peer, push2)).toBe('incomplete');
    expect(await applier.apply(a.peer, push1)).toBe('applied');

    // Every change this host holds has its signature record.
    const held = (await relay.store.load<MemoryDoc>('memories', m.id))!;
    const records = decodeRecords(await relay.store.signatures('memories', m.id));
    const unsigned = A.getAllChanges(held).map((ch) => changeMeta(ch).hash).filter((h) => !records.has(h));
    expect(unsigned, 'changes held without their signature record').toEqual([]);

    // What this host serves to a third one that has only the first version is accepted there.
    const changes = A.getChangesSince(held, A.getHeads(d0));
    const served: DocPayload = { c: 'memories', id: m.id, heads: A.getHeads(held), changes, ...signaturesFor(await relay.store.signatures('memories', m.id), changes) };
    const third = new AuthorshipGuard({ membership, load: () => Promise.resolve(undefined), legacyOpen: () => false });
    expect(await third.check({ peer: b.peer, collection: 'memories', id: m.id, payload: served })).toEqual({ ok: true });
    // Both edits are held here, each with its record.
    expect((await relay.memories.retrieve(m.id)).metadata).toEqual({ w1: 'first', w2: 'second' });
  });
});
