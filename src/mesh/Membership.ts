import * as A from '@automerge/automerge';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import type { Actor } from '../types.js';

/** The replicated membership document: one root key per member's peer id. */
export const MEMBERSHIP_DOC_ID = 'members';

export const MemberRecordSchema = z.object({
  name: z.string().max(200),
  addrs: z.array(z.string().max(300)).max(32),
  teams: z.array(z.string().max(100)).max(64),
  added_by: z.string().max(200),
  added_at: z.number(),
  removed: z.boolean(),
  removed_at: z.number().nullable(),
});
export type MemberRecord = z.infer<typeof MemberRecordSchema>;
export const MembershipViewSchema = z.record(z.string().max(128), MemberRecordSchema);
export type MembershipView = z.infer<typeof MembershipViewSchema>;

type MembershipDoc = Record<string, MemberRecord>;

function viewOf(doc: A.Doc<MembershipDoc>): MembershipView {
  return JSON.parse(JSON.stringify(doc)) as MembershipView;
}

/**
 * Who is in the mesh. Kept as an Automerge document replicated like any other, so adding or
 * removing a member on any host reaches every host; the connection gater reads it on every
 * inbound and outbound connection.
 */
export class Membership {
  private members: MembershipView = {};
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly store: DocStore,
    private readonly actorId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.members = (await this.store.view<MembershipView>('mesh', MEMBERSHIP_DOC_ID)) ?? {};
    this.store.onCommit((event) => {
      if (event.collection !== 'mesh' || event.id !== MEMBERSHIP_DOC_ID) return;
      void this.store.view<MembershipView>('mesh', MEMBERSHIP_DOC_ID).then((view) => {
        if (view) this.members = view;
        for (const listener of this.changeListeners) listener();
      });
    });
  }

  /** Re-reads the committed document now, for callers that cannot wait for the commit listener. */
  async refresh(): Promise<void> {
    this.members = (await this.store.view<MembershipView>('mesh', MEMBERSHIP_DOC_ID)) ?? this.members;
  }

  /** Called after the in-memory membership reflects a committed change (local or replicated). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  isMember(peerId: string): boolean {
    const m = this.members[peerId];
    return m !== undefined && !m.removed;
  }

  get(peerId: string): MemberRecord | undefined {
    return this.members[peerId];
  }

  list(): [string, MemberRecord][] {
    return Object.entries(this.members).sort((a, b) => a[1].name.localeCompare(b[1].name));
  }

  activePeers(): string[] {
    return Object.entries(this.members)
      .filter(([, m]) => !m.removed)
      .map(([id]) => id);
  }

  /** Adds (or re-admits) a member; returns when durable. */
  async add(peerId: string, record: Omit<MemberRecord, 'removed' | 'removed_at' | 'added_at'>, actor: Actor): Promise<void> {
    await this.change(actor, 'add-member', (d) => {
      d[peerId] = { ...record, added_at: Date.now(), removed: false, removed_at: null };
    });
    this.logger.info({ peer: peerId, name: record.name }, 'member added');
  }

  /** Records this host in the document if it is not there (never re-admits a removed self). */
  async ensureSelf(peerId: string, record: Omit<MemberRecord, 'removed' | 'removed_at' | 'added_at'>, actor: Actor): Promise<void> {
    const existing = this.members[peerId];
    if (existing && existing.removed) return;
    if (existing && sameList(existing.addrs, record.addrs) && existing.name === record.name && sameList(existing.teams, record.teams)) return;
    await this.change(actor, existing ? 'update-member' : 'add-member', (d) => {
      const current = d[peerId];
      if (current) {
        if (current.name !== record.name) current.name = record.name;
        if (!sameList(current.addrs, record.addrs)) current.addrs = [...record.addrs];
        if (!sameList(current.teams, record.teams)) current.teams = [...record.teams];
      } else d[peerId] = { ...record, added_at: Date.now(), removed: false, removed_at: null };
    });
  }

  async remove(peerId: string, actor: Actor): Promise<boolean> {
    if (!this.members[peerId] || this.members[peerId]?.removed) return false;
    await this.change(actor, 'remove-member', (d) => {
      const m = d[peerId];
      if (m) {
        m.removed = true;
        m.removed_at = Date.now();
      }
    });
    this.logger.info({ peer: peerId }, 'member removed');
    return true;
  }

  private async change(actor: Actor, action: string, fn: (d: MembershipDoc) => void): Promise<void> {
    await this.store.mutate<MembershipDoc>('mesh', MEMBERSHIP_DOC_ID, (current) => {
      const base = current ?? A.init<MembershipDoc>({ actor: this.actorId });
      const doc = A.change(base, { message: JSON.stringify({ machine: actor.machine, agent: actor.agent, action }), time: Math.floor(Date.now() / 1000) }, fn);
      return { doc, view: viewOf(doc), scope: 'mesh' };
    });
    this.members = (await this.store.view<MembershipView>('mesh', MEMBERSHIP_DOC_ID)) ?? this.members;
  }
}

export function membershipView(doc: A.Doc<unknown>): MembershipView {
  return viewOf(doc);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
