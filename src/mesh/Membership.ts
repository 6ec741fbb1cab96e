import * as A from '@automerge/automerge';
import { z } from 'zod';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import { CLOCK_SKEW_MS, MAX_REPORTED_REJECTIONS, TOMBSTONE_GRACE_AFTER_REMOVAL_MS } from '../trust/constants.js';
import { foldMembership, type MemberState, type MembershipFold, type RejectedOp } from '../trust/foldMembership.js';
import { checkEntry, signOp, type OpBody, type SignedOp } from '../trust/membershipOps.js';
import type { Signer } from '../trust/signing.js';
import { GUEST_EXPIRY_TOLERANCE_MS } from '../teams/constants.js';
import { grantLive, type TeamGrant, type TeamRole, type TeamRoleChange } from '../teams/roles.js';

/**
 * The signed membership graph of one mesh: one immutable string per operation, keyed by the
 * operation's id. Named after the mesh, so a home that made (or belonged to) another mesh before
 * joining this one never mixes that mesh's history into this one's document.
 */
export const MEMBERSHIP_DOC_PREFIX = 'membership-';
export function membershipDocId(meshId: string): string {
  return MEMBERSHIP_DOC_PREFIX + meshId;
}
/** The unsigned membership document of meshes made before signed membership; read only to migrate. */
export const LEGACY_MEMBERS_DOC_ID = 'members';

const LegacyRecordSchema = z.object({
  name: z.string().max(200),
  addrs: z.array(z.string().max(300)).max(32),
  teams: z.array(z.string().max(100)).max(64),
  added_by: z.string().max(200),
  added_at: z.number(),
  removed: z.boolean(),
  removed_at: z.number().nullable(),
});
type LegacyRecord = z.infer<typeof LegacyRecordSchema>;
const LegacyViewSchema = z.record(z.string().max(128), LegacyRecordSchema);

/** The view replication stores for a `mesh` document: signed entries (strings) or a legacy record. */
export const MembershipDocViewSchema = z.record(z.string().max(128), z.union([z.string().max(20_000), LegacyRecordSchema]));

export function membershipDocView(doc: A.Doc<unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/** A member as hosts read it: the verified fold, flattened for the CLI and the gater. */
export interface MemberRecord {
  name: string;
  addrs: string[];
  /** Teams granted (any role, expired guests included: see `teamsOf` for what counts now). */
  teams: string[];
  /** Teams it owns or administers (their admins may widen its members' team memories, see ScopeGuard). */
  team_admin: string[];
  team_roles: Record<string, TeamGrant>;
  admin: boolean;
  actor: string | null;
  /** Its vault box public key (base64), published by its own signed update; null until it has. */
  box?: string | null;
  added_by: string;
  added_at: number;
  removed: boolean;
  removed_at: number | null;
}

/** An entry of the membership document that was refused on its own (bad signature, altered, another mesh). */
export interface RejectedEntry {
  id: string;
  reason: string;
}

export interface TrustStatus {
  /** `signed`: the verified fold rules; `legacy`: no membership root yet (see migration in ARCHITECTURE). */
  mode: 'signed' | 'legacy';
  root: string | null;
  admins: string[];
  operations: number;
  conflicting_roots: string[];
  rejected: (RejectedOp | RejectedEntry)[];
  rejected_count: number;
}

export interface MembershipDeps {
  store: DocStore;
  signer: Signer;
  meshId: string;
  actorId: string;
  /** This host's vault box public key (base64), published in its own record (ensureSelf). */
  boxPublicKey?: string;
  /** This home created the mesh (`mesh.json` founder): it signs the root, or migrates a legacy mesh. */
  founder: boolean;
  /** The root this host trusts (genesis operation id), kept in `mesh.json`; set once. */
  root: () => string | undefined;
  setRoot: (id: string) => Promise<void>;
  logger: Logger;
}

function recordOf(m: MemberState): MemberRecord {
  const teams = Object.keys(m.teams).sort();
  return {
    name: m.name,
    addrs: m.addrs,
    teams,
    team_admin: teams.filter((t) => m.teams[t]!.role === 'admin' || m.teams[t]!.role === 'owner'),
    team_roles: Object.fromEntries(teams.map((t) => [t, { ...m.teams[t]! }])),
    admin: m.admin,
    actor: m.actor,
    box: m.box ?? null,
    added_by: m.added_by,
    added_at: m.added_at,
    removed: m.removed,
    removed_at: m.removed_at,
  };
}

/**
 * Who is in the mesh: the fold of the signed membership operations (trust/foldMembership.ts).
 * The operations live in an Automerge document replicated like any other, but what counts is
 * read from every change in its history, each entry checked on its own (signature, hash, mesh)
 * and then folded under the rules: a host that deletes or rewrites entries in its copy removes
 * nothing, and a host that writes entries it has no right to adds nothing. The connection gater,
 * team scopes and tombstone checks read only the fold.
 */
export class Membership {
  private members = new Map<string, MemberRecord>();
  private fold: MembershipFold | undefined;
  private legacy: Record<string, LegacyRecord> = {};
  private readonly entries = new Map<string, SignedOp>();
  /** Every entry text checked (valid or not), so a change seen again is not verified again. */
  private readonly checked = new Map<string, string | null>();
  private readonly refusedEntries: RejectedEntry[] = [];
  /** Heads of the membership document at the last read: only changes after them are decoded again. */
  private readHeads: string[] = [];
  private conflictingRoots: string[] = [];
  private readonly changeListeners = new Set<() => void>();
  private reloading: Promise<void> = Promise.resolve();

  readonly docId: string;

  constructor(private readonly deps: MembershipDeps) {
    this.docId = membershipDocId(deps.meshId);
  }

  /**
   * Subscribes before the first read, as CollectionViews does: a membership change committed while
   * that read runs (replication applying a pull during start-up) used to be missed until the next
   * change, leaving the membership older than the store. Every read runs in the one `refresh`
   * chain, so a later read never finishes before an earlier one; start resolves once the reads
   * started meanwhile are done too.
   */
  async start(): Promise<void> {
    this.deps.store.onCommit((event) => {
      if (event.collection !== 'mesh') return;
      void this.refresh().then(() => {
        for (const listener of this.changeListeners) listener();
      });
    });
    // The first read's failure fails the start (a damaged store is repaired and the start retried).
    await this.read();
    await this.readsDone();
  }

  /** Waits until no read is queued or running. */
  private async readsDone(): Promise<void> {
    for (let last = this.reloading; ; last = this.reloading) {
      await last;
      if (last === this.reloading) return;
    }
  }

  /** Re-reads the committed documents now, for callers that cannot wait for the commit listener. */
  refresh(): Promise<void> {
    void this.read().catch(() => undefined);
    return this.reloading;
  }

  /** Queues one read after the others; its own failure is returned (and logged), the chain goes on. */
  private read(): Promise<void> {
    const run = this.reloading.then(() => this.reload());
    this.reloading = run.catch((err: unknown) => this.deps.logger.warn({ err: (err as Error).message }, 'could not read the membership'));
    return run;
  }

  /** Called after the in-memory membership reflects a committed change (local or replicated). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  get mode(): 'signed' | 'legacy' {
    return this.fold ? 'signed' : 'legacy';
  }

  isMember(peerId: string): boolean {
    const m = this.members.get(peerId);
    return m !== undefined && !m.removed;
  }

  isAdmin(peerId: string): boolean {
    const m = this.members.get(peerId);
    return m !== undefined && !m.removed && m.admin;
  }

  /**
   * Teams granted to this member (never what its config claims) whose grant is live now by this
   * host's clock: an expired guest's team stops counting here (it no longer receives the team's
   * documents), with GUEST_EXPIRY_TOLERANCE_MS of clock difference.
   */
  teamsOf(peerId: string, now = Date.now()): string[] {
    const m = this.members.get(peerId);
    if (!m || m.removed) return [];
    return m.teams.filter((t) => grantLive(m.team_roles[t]!, now, GUEST_EXPIRY_TOLERANCE_MS));
  }

  /** The member's role in a team, if its grant is live at `now` (this host's clock, with the tolerance). */
  teamRole(peerId: string, team: string, now = Date.now()): TeamRole | undefined {
    const m = this.members.get(peerId);
    const grant = m && !m.removed ? m.team_roles[team] : undefined;
    return grant && grantLive(grant, now, GUEST_EXPIRY_TOLERANCE_MS) ? grant.role : undefined;
  }

  /** The member's grant in a team as signed, live or not (for the team tools' listings). */
  teamGrant(peerId: string, team: string): TeamGrant | undefined {
    const m = this.members.get(peerId);
    return m && !m.removed ? m.team_roles[team] : undefined;
  }

  /**
   * The member's grant in a team at time `at` (an author's clock), from the counted role changes:
   * the last one made at or before `at`. A team write is judged by the role its writer had when it
   * made it, so a member demoted or taken out later keeps its earlier writes on every replica,
   * including ones that receive them only later (see TeamWriteGuard).
   */
  teamGrantAt(peerId: string, team: string, at: number): TeamGrant | undefined {
    const m = this.members.get(peerId);
    if (!m || (m.removed && m.removed_at !== null && at > m.removed_at)) return undefined;
    const counted = this.teamHistory(team)
      .filter((h) => h.peer === peerId && h.refused === null && h.at <= at)
      .sort((a, b) => a.at - b.at);
    const last = counted[counted.length - 1];
    if (!last || last.role === 'none') return undefined;
    return { role: last.role as TeamRole, expires_at: last.expires_at, by: last.by, at: last.at };
  }

  /** Every team some current member holds a role in. */
  teamNames(): string[] {
    const names = new Set<string>();
    for (const m of this.members.values()) if (!m.removed) for (const t of m.teams) names.add(t);
    return [...names].sort();
  }

  /** Signed role changes of a team, counted or refused (the membership part of get_team_activity). */
  teamHistory(team: string): { id: string; by: string; peer: string; role: string; expires_at: number | null; at: number; refused: string | null }[] {
    const refused = new Map((this.fold?.rejected ?? []).map((r) => [r.id, r.reason]));
    const out = [];
    for (const [id, { op }] of this.entries) {
      if (op.kind !== 'team' || op.team !== team) continue;
      out.push({ id, by: op.by, peer: op.peer, role: op.role, expires_at: op.expires_at ?? null, at: op.at, refused: refused.get(id) ?? null });
    }
    return out.sort((a, b) => b.at - a.at);
  }

  get(peerId: string): MemberRecord | undefined {
    return this.members.get(peerId);
  }

  /** The box public key a member published by its own signed record (what vault keys are wrapped to), if it has. */
  boxKeyOf(peerId: string): string | undefined {
    const m = this.members.get(peerId);
    return m && !m.removed && m.box ? m.box : undefined;
  }

  /** The member bound to an Automerge actor id by its own signed record, if any. */
  peerOfActor(actor: string): string | undefined {
    for (const [peer, m] of this.members) if (m.actor === actor) return peer;
    return undefined;
  }

  list(): [string, MemberRecord][] {
    return [...this.members].sort((a, b) => a[1].name.localeCompare(b[1].name));
  }

  activePeers(): string[] {
    return [...this.members].filter(([, m]) => !m.removed).map(([id]) => id);
  }

  /**
   * May `peer`'s tombstone claiming `erasedAt` erase? Only if it was a member then: not before its
   * admission (less clock skew), never after its removal, and for a removed member only within
   * the grace window after the removal (a backdated tombstone could otherwise erase forever).
   */
  mayErase(peer: string, erasedAt: number, now = Date.now()): boolean {
    const m = this.members.get(peer);
    if (!m) return false;
    if (erasedAt < m.added_at - CLOCK_SKEW_MS) return false;
    if (!m.removed) return true;
    if (m.removed_at === null || erasedAt > m.removed_at) return false;
    return now <= m.removed_at + TOMBSTONE_GRACE_AFTER_REMOVAL_MS;
  }

  /** Every entry verified on its own so far (the incoming guard folds new ones with them). */
  signedEntries(): ReadonlyMap<string, SignedOp> {
    return this.entries;
  }

  /** An entry exactly as already verified (valid), so the incoming guard need not verify it again. */
  knownValid(id: string, text: string): boolean {
    return this.checked.get(id) === text && this.entries.has(id);
  }

  status(): TrustStatus {
    const rejected = [...this.refusedEntries, ...(this.fold?.rejected ?? [])];
    return {
      mode: this.mode,
      root: this.deps.root() ?? null,
      admins: this.activePeers().filter((p) => this.isAdmin(p)),
      operations: this.fold?.applied ?? 0,
      conflicting_roots: this.conflictingRoots,
      rejected: rejected.slice(-MAX_REPORTED_REJECTIONS),
      rejected_count: rejected.length,
    };
  }

  // ---- changes this host signs ----

  /**
   * Records this host's own name, addresses and actor id (a signed update, only when they
   * changed). On the mesh's creator with no root yet, first signs the root and, for a mesh made
   * before signed membership, a checkpoint of the current members (see ARCHITECTURE, migration).
   */
  async ensureSelf(name: string, addrs: string[]): Promise<void> {
    const self = this.deps.signer.peerId;
    if (!this.deps.root() && this.deps.founder) await this.createRoot(name, addrs);
    if (!this.fold) return;
    const mine = this.members.get(self);
    if (!mine || mine.removed) return;
    const box = this.deps.boxPublicKey;
    if (mine.name === name && sameList(mine.addrs, addrs) && mine.actor === this.deps.actorId && (box === undefined || mine.box === box)) return;
    await this.sign({ kind: 'update', peer: self, name, addrs, actor: this.deps.actorId, ...(box !== undefined ? { box } : {}) });
  }

  /** Admits (or, after its removal, re-admits) a peer; this host must be an admin. */
  async add(peerId: string, record: { name: string; addrs: string[] }): Promise<void> {
    await this.sign({ kind: 'add', peer: peerId, name: record.name, addrs: record.addrs });
    this.deps.logger.info({ peer: peerId, name: record.name }, 'member added');
  }

  async remove(peerId: string): Promise<boolean> {
    if (!this.members.get(peerId) || this.members.get(peerId)?.removed) return false;
    await this.sign({ kind: 'remove', peer: peerId });
    this.deps.logger.info({ peer: peerId }, 'member removed');
    return true;
  }

  async setTeam(peerId: string, team: string, role: TeamRoleChange, expiresAt?: number): Promise<void> {
    await this.sign({ kind: 'team', peer: peerId, team, role, ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}) });
  }

  async setAdmin(peerId: string, admin: boolean): Promise<void> {
    await this.sign({ kind: 'admin', peer: peerId, admin });
  }

  /** Signs an operation naming the current heads, checks that it counts, then stores it. */
  private async sign(body: OpBody): Promise<void> {
    await this.reloading;
    if (!this.fold) throw new MeshError('NOT_AUTHORISED', 'this mesh has no signed membership yet: start the upgraded daemon on the host that created the mesh first');
    const { id, entry, text } = await signOp(this.deps.signer, this.deps.meshId, body, this.fold.heads);
    const trial = new Map(this.entries).set(id, entry);
    const refusal = foldMembership(trial, this.deps.root()).rejected.find((r) => r.id === id);
    if (refusal) throw new MeshError('NOT_AUTHORISED', `refused: ${refusal.reason}`, { kind: body.kind, peer: body.peer });
    await this.write([[id, text]]);
  }

  private async createRoot(name: string, addrs: string[]): Promise<void> {
    const self = this.deps.signer.peerId;
    const existing = [...this.entries].filter(([, e]) => e.op.kind === 'genesis' && e.op.by === self);
    if (existing.length > 0) {
      await this.deps.setRoot(existing[0]![0]);
      await this.refresh();
      return;
    }
    const genesis = await signOp(this.deps.signer, this.deps.meshId, { kind: 'genesis', peer: self, name, addrs, actor: this.deps.actorId }, []);
    const writes: [string, string][] = [[genesis.id, genesis.text]];
    // Migration: the creator signs the members the unsigned document lists now, and their teams.
    let prev = [genesis.id];
    const sign = async (body: OpBody) => {
      const op = await signOp(this.deps.signer, this.deps.meshId, body, prev);
      writes.push([op.id, op.text]);
      prev = [op.id];
    };
    const legacy = Object.entries(this.legacy).filter(([peer, r]) => !r.removed && /^12D3Koo/.test(peer));
    for (const [peer, r] of legacy) if (peer !== self) await sign({ kind: 'add', peer, name: r.name, addrs: r.addrs });
    for (const [peer, r] of legacy) for (const team of r.teams) await sign({ kind: 'team', peer, team, role: 'member' });
    await this.deps.setRoot(genesis.id);
    await this.write(writes);
    this.deps.logger.info({ root: genesis.id, migrated: legacy.length }, legacy.length ? 'signed the membership root and a checkpoint of the unsigned membership' : 'signed the membership root');
  }

  private async write(entries: [string, string][]): Promise<void> {
    await this.deps.store.mutate<Record<string, unknown>>('mesh', this.docId, (current) => {
      const base = current ?? A.init<Record<string, unknown>>({ actor: this.deps.actorId });
      const doc = A.change(base, { message: JSON.stringify({ action: 'membership' }), time: Math.floor(Date.now() / 1000) }, (d) => {
        for (const [id, text] of entries) d[id] = new A.ImmutableString(text);
      });
      return { doc, view: membershipDocView(doc), scope: 'mesh' };
    });
    await this.refresh();
  }

  // ---- reading ----

  private async reload(): Promise<void> {
    const legacyView = await this.deps.store.view<unknown>('mesh', LEGACY_MEMBERS_DOC_ID);
    const legacy = LegacyViewSchema.safeParse(legacyView ?? {});
    this.legacy = legacy.success ? legacy.data : {};

    const doc = await this.deps.store.load<unknown>('mesh', this.docId);
    if (doc) {
      for (const [id, text] of entriesInChanges(A.getChangesSince(doc, this.readHeads))) await this.admit(id, text);
      this.readHeads = A.getHeads(doc);
    }

    let root = this.deps.root();
    if (!root) root = await this.adoptRoot();
    if (root && this.entries.has(root)) {
      this.fold = foldMembership(this.entries, root);
      this.members = new Map([...this.fold.members].map(([peer, m]) => [peer, recordOf(m)]));
    } else {
      this.fold = undefined;
      this.members = new Map(
        Object.entries(this.legacy).map(([peer, r]) => [peer, { ...r, team_admin: [], team_roles: legacyRoles(r.teams, r.added_by, r.added_at), admin: false, actor: null, box: null }]),
      );
    }
  }

  private async admit(id: string, text: string): Promise<void> {
    if (this.checked.get(id) === text) return;
    const check = await checkEntry(id, text, this.deps.meshId);
    this.checked.set(id, text);
    if (check.ok) this.entries.set(id, check.entry);
    else if (!this.entries.has(id)) this.refusedEntries.push({ id, reason: check.reason });
  }

  /**
   * A host that was not told its mesh's root (one upgraded from unsigned membership) adopts the
   * only root the document holds, once. Two roots are a conflict it reports and never resolves
   * alone (see ARCHITECTURE, migration).
   */
  private async adoptRoot(): Promise<string | undefined> {
    const roots = [...this.entries].filter(([, e]) => e.op.kind === 'genesis').map(([id]) => id);
    this.conflictingRoots = roots.length > 1 ? roots : [];
    if (roots.length !== 1 || this.deps.founder) return undefined;
    const root = roots[0]!;
    await this.deps.setRoot(root);
    this.deps.logger.warn({ root, by: this.entries.get(root)!.op.by }, 'adopted the mesh’s membership root (first seen); check it with `mesh status` on the host that created the mesh');
    return root;
  }
}

/**
 * Every string set at the document's root by these changes (the whole history at start, then
 * only what arrived since the last read): what a later deletion or overwrite hides still counts.
 */
function entriesInChanges(changes: Uint8Array[]): [string, string][] {
  const out: [string, string][] = [];
  for (const bytes of changes) {
    const change = A.decodeChange(bytes);
    for (const op of change.ops) if (op.action === 'set' && op.obj === '_root' && 'key' in op && typeof op.value === 'string') out.push([op.key, op.value]);
  }
  return out;
}

/** Unsigned (legacy) membership knew only team names: each is a plain membership. */
function legacyRoles(teams: string[], by: string, at: number): Record<string, TeamGrant> {
  return Object.fromEntries(teams.map((t) => [t, { role: 'member' as const, expires_at: null, by, at }]));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
