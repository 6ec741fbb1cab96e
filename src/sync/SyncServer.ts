import * as A from '@automerge/automerge';
import { encode } from '@msgpack/msgpack';
import type { Stream } from '@libp2p/interface';
import type { Logger } from '../log.js';
import type { FeedEntry, ShareScope } from '../store/types.js';
import type { Collection } from '../types.js';
import { FramedStream } from './codec.js';
import { GET_REPLY_BYTES, MAX_DOC_BYTES, SYNC_REQUEST_TIMEOUT_MS } from './constants.js';
import type { ApplyOutcome, DocApplier } from './DocApplier.js';
import type { HeadsDigest } from './HeadsDigest.js';
import { knownHeads } from './knownHeads.js';
import { SyncRequest, type DocPayload } from './messages.js';
import { PROJECTORS } from './projectors.js';
import { requestSignal } from './requestSignal.js';
import { signaturesFor } from '../authorship/replySignatures.js';
import { type RecentWrites, sameSet } from './RecentWrites.js';
import type { SyncMembership, SyncStore } from './SyncPorts.js';
import { u32ToBytes } from './wireWords.js';
import { RefusalLog } from './RefusalLog.js';

export interface SyncServerDeps {
  store: SyncStore;
  membership: SyncMembership;
  logger: Logger;
  canShare: (scope: ShareScope, peer: string) => boolean;
  applier: DocApplier;
  recent: RecentWrites;
  digest: HeadsDigest;
  /** A push that did not apply (its history is missing here) is repaired by pulling from its sender. */
  onIncompletePush: (peer: string) => void;
}

type PushDocs = Extract<SyncRequest, { t: 'push' }>['docs'];

/**
 * Answers peers' sync requests, one request and one response per stream: `feed` (what changed
 * since a cursor), `get` (documents as changes or whole), `push` (a member's new writes), and the
 * heads digest exchanges (`digest`, `leaves`, `entries`).
 */
export class SyncServer {
  /** A member sending malformed requests in a loop gets one line per interval, not one per request. */
  private readonly badExchanges = new RefusalLog();

  constructor(private readonly deps: SyncServerDeps) {}

  async serve(stream: Stream, peer: string, signal: AbortSignal): Promise<void> {
    const io = new FramedStream(stream);
    try {
      if (!this.deps.membership.isMember(peer)) {
        await io.send({ t: 'error', code: 'NOT_MEMBER', message: 'this peer is not a member of the mesh' });
        await io.close();
        return;
      }
      const req = await receiveRequest(io, signal);
      if (req.t === 'get') await io.sendEncoded(this.encodeDocs(await this.serveGet(peer, req.docs)));
      else await io.send(await this.answer(peer, req));
      await io.close();
    } catch (err) {
      const line = this.badExchanges.shouldLog(peer);
      if (line) this.deps.logger.warn({ peer, err: (err as Error).message, ...line }, 'bad sync exchange; stream closed (logged once per 10 min per peer)');
      io.abort('protocol error');
    }
  }

  private async answer(peer: string, req: Exclude<SyncRequest, { t: 'get' }>): Promise<unknown> {
    const team = (asked: boolean) => asked && this.deps.canShare('team', peer);
    switch (req.t) {
      case 'feed':
        return this.serveFeed(peer, req.since, req.limit, req.mine);
      case 'push':
        await this.servePush(peer, req.docs);
        return { t: 'ack' };
      case 'digest':
        return { t: 'digest', epoch: this.deps.store.epoch, tops: u32ToBytes(this.deps.digest.tops(team(req.team))) };
      case 'leaves':
        return { t: 'leaves', sums: u32ToBytes(this.deps.digest.leaves(req.tops, team(req.team))) };
      case 'entries':
        return { t: 'entries', epoch: this.deps.store.epoch, entries: await this.serveEntries(new Set(req.leaves), team(req.team)) };
    }
  }

  private async serveFeed(peer: string, since: number, limit: number, theirEpoch: string | undefined) {
    const page = await this.deps.store.feedSince(since, limit);
    // A version the peer itself sent us (same heads, same store of theirs) is not offered back:
    // after an initial sync that is every entry of our feed. The cursor still moves past them.
    // Safe because such an entry's heads are exactly the heads the peer sent, of a version it
    // had made durable, and a store only grows (docs/ARCHITECTURE.md, "The pull invariant").
    const echo = (e: FeedEntry) => theirEpoch !== undefined && e.from?.peer === peer && e.from.epoch === theirEpoch;
    const entries = page.entries
      .filter((e) => this.deps.canShare(e.scope, peer) && !echo(e))
      .map((e) => ({ seq: e.seq, c: e.collection, id: e.id, heads: e.heads, ...(e.tomb ? { tomb: e.tomb } : {}) }));
    return { t: 'feed', epoch: this.deps.store.epoch, entries, last: page.last, more: page.more };
  }

  /** The documents of some digest leaves, as the feed would list them (heads, or tombstone). */
  private async serveEntries(leaves: ReadonlySet<number>, team: boolean) {
    const keys = this.deps.digest.keysIn(leaves, team).map((key) => {
      const at = key.indexOf('/');
      return { collection: key.slice(0, at) as Collection, id: key.slice(at + 1) };
    });
    const heads = await this.deps.store.headsMany(keys);
    const erased = keys.filter((_, i) => heads[i] === null);
    const tombs = new Map((await this.deps.store.tombstonesMany(erased)).map((t, i) => [`${erased[i]!.collection}/${erased[i]!.id}`, t]));
    return keys.flatMap((k, i) => {
      const h = heads[i];
      if (h === undefined) return [];
      const tomb = h === null ? tombs.get(`${k.collection}/${k.id}`) : undefined;
      if (tomb && tomb.scope === 'private') return [];
      return [{ seq: 0, c: k.collection, id: k.id, heads: h, ...(tomb ? { tomb } : {}) }];
    });
  }

  private async serveGet(peer: string, docs: { c: Collection; id: string; heads: string[] }[]): Promise<DocPayload[]> {
    const store = this.deps.store;
    const out: DocPayload[] = [];
    // One consistent bulk read instead of several awaited reads per document.
    const stored = await store.readMany(docs.map((d) => ({ collection: d.c, id: d.id })));
    let size = 0;
    for (const [i, { c, id, heads }] of docs.entries()) {
      const { tomb, view, heads: storedHeads, bytes, viewBytes, damaged, sigs } = stored[i]!;
      // A reply stays within its frame: the rest of the request goes unanswered and is asked again.
      if (out.length > 0 && size + (bytes?.byteLength ?? 0) + viewBytes > GET_REPLY_BYTES) break;
      if (damaged) {
        out.push(this.unsendable(c, id, `stored copy is damaged: ${damaged}`, []));
        continue;
      }
      if (tomb) {
        // A tombstone goes where its document could go: a private one never leaves this host.
        out.push(this.deps.canShare(tomb.scope ?? 'mesh', peer) ? { c, id, heads: [], tomb } : { c, id, heads: [], missing: true });
        continue;
      }
      const projector = PROJECTORS[c];
      if (view === undefined || !projector || !this.deps.canShare(projector.scope(view), peer)) {
        out.push({ c, id, heads: [], missing: true });
        continue;
      }
      try {
        const payload = await this.docFor(c, id, heads, storedHeads, bytes, view, sigs);
        size += payloadBytes(payload, viewBytes);
        out.push(payload);
      } catch (err) {
        // One document that cannot be read or encoded is reported, never its batch.
        out.push(this.unsendable(c, id, (err as Error).message, storedHeads ?? []));
      }
    }
    return out;
  }

  private async docFor(c: Collection, id: string, heads: string[], storedHeads: string[] | null | undefined, bytes: Uint8Array | undefined, view: unknown, sigs: Uint8Array | undefined): Promise<DocPayload> {
    // A peer exactly one write behind (the usual reconnect): that write's changes, as committed,
    // go with the view of the same (durable) version, without loading the document.
    const last = heads.length > 0 && storedHeads ? this.deps.recent.between(c, id, heads, storedHeads) : undefined;
    if (last && storedHeads) return { c, id, heads: storedHeads, changes: last.changes, view, ...signaturesFor(sigs, last.changes) };
    if (heads.length > 0) {
      const doc = await this.deps.store.load<unknown>(c, id);
      // Both sides changed the document (the membership document after both hosts restarted on
      // new addresses): the changes since the heads we share cover everything the peer lacks,
      // where the whole document cost the peer a load and merge of all of it.
      const known = doc ? knownHeads(doc, heads) : [];
      if (doc && known.length > 0) {
        const docHeads = A.getHeads(doc);
        // Our view goes along when it is the view of exactly this version (not of an older one,
        // while a newer write is still queued) and the peer has nothing we lack: the peer can then
        // append the changes without loading its copy (~3 ms a document); otherwise it merges them.
        const withView = storedHeads && sameSet(storedHeads, docHeads) && known.length === heads.length ? { view } : {};
        const changes = A.getChangesSince(doc, known);
        return { c, id, heads: docHeads, changes, ...withView, ...signaturesFor(await this.deps.store.signatures(c, id), changes) };
      }
    }
    if (!bytes || bytes.byteLength > MAX_DOC_BYTES) {
      this.deps.logger.warn({ collection: c, id, bytes: bytes?.byteLength }, 'document too large to send whole');
      return { c, id, heads: [], missing: true };
    }
    return { c, id, heads: storedHeads ?? [], full: bytes, view, ...(sigs ? { sigs } : {}) };
  }

  /** `heads`: the version that could not be sent, so the requester does not ask for it again every round. */
  private unsendable(c: Collection, id: string, reason: string, heads: string[]): DocPayload {
    this.deps.logger.warn({ collection: c, id, reason }, 'could not send a document; the rest of the reply goes');
    return { c, id, heads, missing: true, unsendable: reason.slice(0, 500) };
  }

  /**
   * The reply in one encoding pass; if that fails (a view nested deeper than msgpack encodes, seen
   * in issue 10), document by document, so only the bad ones are left out (and named).
   */
  private encodeDocs(docs: DocPayload[]): Uint8Array {
    try {
      return encode({ t: 'docs', docs });
    } catch {
      const kept = docs.map((d) => {
        try {
          encode(d);
          return d;
        } catch (err) {
          return this.unsendable(d.c, d.id, `does not encode: ${(err as Error).message}`, d.heads);
        }
      });
      return encode({ t: 'docs', docs: kept });
    }
  }

  private async servePush(peer: string, docs: PushDocs): Promise<void> {
    const outcomes: ApplyOutcome[] = await Promise.all(docs.map((d) => this.deps.applier.apply(peer, d as DocPayload)));
    if (outcomes.includes('incomplete')) this.deps.onIncompletePush(peer);
  }
}

/** The peer's request, within the request timeout, or sooner if the engine stops. */
async function receiveRequest(io: FramedStream, stop: AbortSignal): Promise<SyncRequest> {
  const { signal, done } = requestSignal(stop, SYNC_REQUEST_TIMEOUT_MS);
  try {
    return await io.receive(SyncRequest, signal);
  } finally {
    done();
  }
}

function payloadBytes(p: DocPayload, viewBytes: number): number {
  const changes = p.changes?.reduce((n, ch) => n + ch.byteLength, 0) ?? 0;
  return changes + (p.full?.byteLength ?? 0) + (p.view !== undefined ? viewBytes : 0);
}
