import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { InvalidInputError, MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MemberRecord } from '../mesh/Membership.js';
import type { DocStore } from '../store/DocStore.js';
import type { Signer } from '../trust/signing.js';
import type { Actor } from '../types.js';
import type { AuditLog } from './AuditLog.js';
import type { BoxKeyPair } from './boxKeys.js';
import { VAULT_DOC_PREFIX } from './constants.js';
import { hasAccess, vaultIdOf } from './foldVaultRights.js';
import { openGeneration, wrapKey, type Wrap } from './generations.js';
import { OneAtATime } from './OneAtATime.js';
import { openEntry, sealEntry, type SecretMeta } from './sealedEntries.js';
import type { VaultBook } from './VaultBook.js';
import { vaultStoredView, withEntries } from './vaultDocs.js';
import { canonicalJson, type SignableJson } from '../trust/signing.js';
import { signVaultOp, type AccessLevel, type SealedEntry, type SignedVaultOp, type VaultOpBody } from './vaultOps.js';
import type { CreateVaultInput, RevokeVaultAccessInput, ShareVaultInput, StoreInVaultInput, VaultAuditLogInput } from './vaultSchemas.js';
import { vaultState, type GenerationState, type VaultState } from './vaultState.js';

/** What the vault needs of the membership: published box keys, removals, team grants. */
export interface VaultMembership {
  boxKeyOf(peer: string): string | undefined;
  get(peer: string): MemberRecord | undefined;
  list(): [string, MemberRecord][];
}

export interface VaultServiceDeps {
  store: DocStore;
  book: VaultBook;
  audit: AuditLog;
  signer: Signer;
  membership: VaultMembership;
  /** This host's box key pair; throws VAULT_LOCKED when it is sealed and no passphrase was given. */
  boxKey: () => BoxKeyPair;
  logger: Logger;
  now?: () => number;
}

export interface VaultSummary {
  id: string;
  name: string;
  type: string;
  creator: string;
  generation: number;
  secrets: number;
  members: { peer: string; name: string | null; level: AccessLevel; expires_at: string | null; team: string | null }[];
  /** This host's access, or null when it is not a member (it replicates the vault and cannot open it). */
  access: AccessLevel | null;
  rejected: { id: string; by: string; kind: string; reason: string }[];
}

const notFound = (message: string, details: Record<string, unknown>): MeshError => new MeshError('NOT_FOUND', message, details);
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Vaults as one host uses them: create, seal, open, share and revoke by writing signed operations
 * into the vault's replicated document, and reading its fold. Plaintext exists only inside a call
 * (sealed before it is written, opened for the answer); generation keys are cached in memory.
 * Every read, write, share and revoke appends to this host's signed audit chain.
 */
export class VaultService {
  private readonly writes = new OneAtATime();
  /** Unwrapped generation keys by generation id: unwrapping costs an X25519 scalar multiplication. */
  private readonly genKeys = new Map<string, Uint8Array>();
  private readonly now: () => number;
  private readonly states = new Map<string, { key: string; state: VaultState | undefined }>();

  constructor(private readonly deps: VaultServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  get self(): string {
    return this.deps.signer.peerId;
  }

  /** The fold of a vault's operations, cached until they (or the mesh's removals) change. */
  async state(id: string): Promise<VaultState | undefined> {
    const ops = await this.deps.book.ops(id);
    const key = `${this.deps.book.version(id)}|${this.deps.membership.list().flatMap(([peer, m]) => (m.removed ? [peer] : [])).join(',')}`;
    const cached = this.states.get(id);
    if (cached?.key === key) return cached.state;
    const state = vaultState(id, ops, { removedAt: (peer) => this.removedAt(peer) });
    // Cached only for a vault this host holds: one entry per made-up id asked for would never go.
    if (this.deps.book.cached(id) !== undefined) this.states.set(id, { key, state });
    return state;
  }

  /**
   * For `mesh status`: the vaults read so far and the operations their folds set aside (refused
   * by the rights rule, newest last), plus entries refused on their own; a document refused at
   * the apply point is in replication.rejected_documents instead.
   */
  status(): { vaults: number; set_aside: { vault: string; id: string; by: string; kind: string; reason: string }[]; set_aside_count: number; refused_entries: number } {
    const aside = [...this.states.entries()].flatMap(([vault, { state }]) => (state?.rejected ?? []).map((r) => ({ vault, id: r.id, by: r.by, kind: r.kind, reason: r.reason, at: r.at })));
    aside.sort((x, y) => x.at - y.at);
    return { vaults: this.states.size, set_aside: aside.slice(-20).map(({ at: _at, ...r }) => r), set_aside_count: aside.length, refused_entries: this.deps.book.refusedEntries().length };
  }

  removedAt(peer: string): number | undefined {
    const m = this.deps.membership.get(peer);
    return m?.removed ? (m.removed_at ?? 0) : undefined;
  }

  async vaultIds(): Promise<string[]> {
    return this.deps.store.idsWithPrefix('vaults', VAULT_DOC_PREFIX, 100_000);
  }

  /** A vault by id or name; a name several vaults share is ambiguous (use the id). */
  async resolve(ref: string): Promise<VaultState> {
    if (ref.startsWith(VAULT_DOC_PREFIX)) {
      const s = await this.state(ref);
      if (s) return s;
    }
    const matches: VaultState[] = [];
    for (const id of await this.vaultIds()) {
      const s = await this.state(id);
      if (s && s.name === ref) matches.push(s);
    }
    if (matches.length > 1) {
      const mine = matches.filter((s) => s.members.has(this.self));
      if (mine.length === 1) return mine[0]!;
      throw new MeshError('AMBIGUOUS_ID', `several vaults are named ${ref}: use an id (${matches.map((s) => s.id).join(', ')})`);
    }
    if (!matches[0]) throw notFound(`no vault ${ref}`, { vault: ref });
    return matches[0];
  }

  summary(s: VaultState): VaultSummary {
    const names = (peer: string) => this.deps.membership.get(peer)?.name ?? null;
    const mine = s.members.get(this.self);
    return {
      id: s.id,
      name: s.name,
      type: s.type,
      creator: s.creator,
      generation: s.current?.gen ?? 0,
      secrets: s.entries.size,
      members: [...s.members].map(([peer, a]) => ({ peer, name: names(peer), level: a.level, expires_at: iso(a.expires), team: a.team ?? null })),
      access: mine && hasAccess(mine, 'read', this.now()) ? mine.level : null,
      rejected: s.rejected.map((r) => ({ id: r.id, by: r.by, kind: r.kind, reason: r.reason })),
    };
  }

  async list(all = false): Promise<VaultSummary[]> {
    const out: VaultSummary[] = [];
    for (const id of await this.vaultIds()) {
      const s = await this.state(id);
      if (!s) continue;
      const summary = this.summary(s);
      if (all || summary.access !== null) out.push(summary);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  async create(input: CreateVaultInput, actor: Actor): Promise<VaultSummary> {
    if (input.type === 'team' && !input.team) throw new InvalidInputError('a team vault names its team (team)');
    const salt = randomBytes(16).toString('hex');
    const id = vaultIdOf(this.self, salt);
    const myBox = this.deps.boxKey().publicKey;
    const at = this.now();
    const create = await signVaultOp(this.deps.signer, id, { kind: 'create', name: input.name, type: input.type, salt }, at, null);
    const key = nacl.randomBytes(nacl.secretbox.keyLength);
    const gen = await signVaultOp(this.deps.signer, id, { kind: 'generation', gen: 0, wraps: { [this.self]: wrapKey(key, myBox) }, values: {} }, at + 1, create.id);
    this.genKeys.set(gen.id, key);
    await this.writeOps(id, [create, gen]);
    await this.deps.audit.append({ actor: actor.agent, action: 'create', vault: id, secret: null, reason: input.type, at: this.now() });
    if (input.team) await this.share({ vault: id, team: input.team, level: 'write' }, actor);
    return this.summary((await this.state(id))!);
  }

  async put(input: StoreInVaultInput, actor: Actor): Promise<{ vault: string; name: string; generation: number }> {
    return this.writes.run(async () => {
      const s = await this.resolve(input.vault);
      this.require(s, 'write');
      const gen = this.currentOf(s);
      const key = this.genKey(gen);
      const meta: SecretMeta = {
        kind: input.kind ?? 'other',
        url: input.url ?? null,
        username: input.username ?? null,
        notes: input.notes ?? null,
        expires_at: input.expires_at ?? null,
        updated_at: new Date(this.now()).toISOString(),
        updated_by: actor.agent,
        machine: actor.machine,
      };
      const entry = sealEntry(key, input.value, meta);
      await this.sign(s, [{ kind: 'write', name: input.name, g: gen.id, entry }]);
      await this.deps.audit.append({ actor: actor.agent, action: 'write', vault: s.id, secret: input.name, reason: null, at: this.now() });
      return { vault: s.id, name: input.name, generation: gen.gen };
    });
  }

  /** The value, opened in memory for this answer only; the read is audited before it is returned. */
  async get(input: { vault: string; name: string; audit_reason: string }, actor: Actor): Promise<{ vault: string; name: string; value: string; meta: SecretMeta; generation: number }> {
    const s = await this.resolve(input.vault);
    this.require(s, 'read');
    const e = s.entries.get(input.name);
    if (!e) throw notFound(`no secret ${input.name} in vault ${s.name}`, { vault: s.id, name: input.name });
    const gen = s.generations.get(e.g);
    if (!gen) throw new MeshError('VAULT_LOCKED', `the secret ${input.name} is sealed under a generation this host does not hold`);
    const opened = openEntry(this.genKey(gen), e.entry);
    await this.deps.audit.append({ actor: actor.agent, action: 'read', vault: s.id, secret: input.name, reason: input.audit_reason, at: this.now() });
    return { vault: s.id, name: input.name, value: opened.value, meta: opened.meta, generation: gen.gen };
  }

  /** Names and metadata, never values. */
  async secrets(ref: string): Promise<{ vault: string; secrets: ({ name: string; generation: number; written_by: string; written_at: string } & SecretMeta)[] }> {
    const s = await this.resolve(ref);
    this.require(s, 'read');
    const out = [];
    for (const e of s.entries.values()) {
      const gen = s.generations.get(e.g);
      const meta = gen ? openEntry(this.genKey(gen), e.entry, { metaOnly: true }).meta : null;
      out.push({ name: e.name, generation: gen?.gen ?? -1, written_by: e.by, written_at: new Date(e.at).toISOString(), ...(meta ?? { kind: 'other', url: null, username: null, notes: null, expires_at: null, updated_at: null, updated_by: null, machine: null }) });
    }
    return { vault: s.id, secrets: out };
  }

  async remove(input: { vault: string; name: string; reason?: string | undefined }, actor: Actor): Promise<{ vault: string; name: string; deleted: boolean }> {
    return this.writes.run(async () => {
      const s = await this.resolve(input.vault);
      this.require(s, 'write');
      if (!s.entries.has(input.name)) throw notFound(`no secret ${input.name} in vault ${s.name}`, { vault: s.id, name: input.name });
      await this.sign(s, [{ kind: 'write', name: input.name, g: null, entry: null }]);
      await this.deps.audit.append({ actor: actor.agent, action: 'delete', vault: s.id, secret: input.name, reason: input.reason ?? null, at: this.now() });
      return { vault: s.id, name: input.name, deleted: true };
    });
  }

  /** Grants hosts (one, a person's, a team's) a level, with every generation key its current secrets need wrapped for each. */
  async share(input: Omit<ShareVaultInput, 'level'> & { level: AccessLevel }, actor: Actor): Promise<{ vault: string; granted: { peer: string; name: string | null }[]; skipped: { peer: string; reason: string }[] }> {
    return this.writes.run(async () => {
      const s = await this.resolve(input.vault);
      this.require(s, 'admin');
      const team = input.team ?? input.person;
      const targets = this.targets(input);
      const expires = input.expires_at ? Date.parse(input.expires_at) : undefined;
      if (expires !== undefined && expires <= this.now()) throw new InvalidInputError('expires_at is in the past');
      const { bodies, granted, skipped } = this.grantBodies(s, targets, input.level, expires, team);
      if (bodies.length === 0) throw new MeshError('NOT_FOUND', `nobody to share with: ${skipped.map((x) => `${x.peer.slice(-8)} ${x.reason}`).join('; ') || 'no hosts'}`);
      await this.sign(s, bodies);
      for (const g of granted) await this.deps.audit.append({ actor: actor.agent, action: 'share', vault: s.id, secret: null, reason: `${g.peer} ${input.level}${expires ? ` until ${input.expires_at}` : ''}${team ? ` via ${team}` : ''}`, at: this.now() });
      return { vault: s.id, granted, skipped };
    });
  }

  /** Revokes, and in the same operation rotates: a new generation wrapped for the remaining members only, every current secret re-sealed under it. */
  async revoke(input: Omit<RevokeVaultAccessInput, 'reason'> & { reason?: string | undefined }, actor: Actor): Promise<{ vault: string; revoked: string[]; generation: number; resealed: number }> {
    return this.writes.run(async () => {
      const s = await this.resolve(input.vault);
      this.require(s, 'admin');
      const team = input.team ?? input.person;
      const peers = input.host !== undefined ? [this.resolveHost(input.host)] : [...s.members].filter(([, a]) => a.team === team).map(([p]) => p);
      const revoked = peers.filter((p) => s.members.has(p));
      if (revoked.length === 0) throw notFound(`nobody to revoke in vault ${s.name}`, { vault: s.id });
      if (revoked.includes(this.self)) throw new InvalidInputError('a host does not revoke itself (another admin revokes it)');
      const result = await this.revokeAndRotate(s, revoked);
      for (const peer of revoked) await this.deps.audit.append({ actor: actor.agent, action: 'revoke', vault: s.id, secret: null, reason: `${peer}${input.reason ? `: ${input.reason}` : ''}`, at: this.now() });
      await this.deps.audit.append({ actor: actor.agent, action: 'rotate', vault: s.id, secret: null, reason: `generation ${result.generation}, ${result.resealed} secrets re-sealed`, at: this.now() });
      return { vault: s.id, revoked, ...result };
    });
  }

  async auditLog(input: VaultAuditLogInput) {
    const vault = input.vault ? (await this.resolve(input.vault)).id : undefined;
    const host = input.host ? this.resolveHost(input.host) : undefined;
    const entries = await this.deps.audit.entries({ ...(vault ? { vault } : {}), ...(host ? { host } : {}), limit: input.limit });
    const names = (peer: string) => this.deps.membership.get(peer)?.name ?? null;
    const verified = input.verify ? await this.deps.audit.verify() : null;
    return {
      entries: entries.map((e) => ({ ...e, host_name: names(e.host), at: new Date(e.at).toISOString() })),
      verified: verified ? { ...verified, problems: verified.problems.map((p) => ({ ...p, host_name: names(p.host) })) } : null,
    };
  }

  /**
   * What an admin host does without being asked: rotates out members removed from the mesh and
   * grants that expired, and keeps team grants following their team (new team hosts granted,
   * hosts that left it revoked). Several admins may do it at once; the rules keep that harmless.
   * Answers the earliest grant expiry still ahead, so the caller can come back then.
   */
  async reconcile(): Promise<number | undefined> {
    let next: number | undefined;
    for (const id of await this.vaultIds()) {
      await this.writes.run(async () => {
        const s = await this.state(id);
        if (!s || !hasAccess(s.members.get(this.self), 'admin', this.now())) return;
        for (const a of s.members.values()) if (a.expires !== undefined && a.expires > this.now()) next = Math.min(next ?? a.expires, a.expires);
        const current = s.current;
        const stale = [...(current?.wraps.keys() ?? [])].filter((peer) => {
          if (peer === this.self) return false;
          const access = s.members.get(peer);
          if (!access) return true; // removed from the mesh, or revoked without a rotation (a concurrent write)
          if (access.expires !== undefined && access.expires <= this.now()) return true;
          return access.team !== undefined && !(this.deps.membership.get(peer)?.teams ?? []).includes(access.team);
        });
        if (stale.length > 0) {
          this.deps.logger.info({ vault: id, members: stale.length }, 'rotating a vault: members removed, expired or out of their team');
          const result = await this.revokeAndRotate(s, stale);
          await this.deps.audit.append({ actor: 'hivemesh-vault', action: 'rotate', vault: id, secret: null, reason: `generation ${result.generation}: ${stale.join(', ')} rotated out`, at: this.now() });
          return;
        }
        for (const team of new Set([...s.members.values()].flatMap((a) => (a.team ? [a.team] : [])))) {
          const model = [...s.members.values()].find((a) => a.team === team)!;
          const joined = this.teamHosts(team).filter((p) => !s.members.has(p) && !this.revokedIn(s, p));
          if (joined.length === 0) continue;
          const { bodies } = this.grantBodies(s, joined, model.level, model.expires, team);
          if (bodies.length > 0) await this.sign(s, bodies);
        }
      });
    }
    return next;
  }

  // ---- internals ----

  private require(s: VaultState, need: AccessLevel): void {
    const access = s.members.get(this.self);
    if (hasAccess(access, need, this.now())) return;
    const why = !access ? 'this host is not a member of the vault' : access.expires !== undefined && this.now() >= access.expires ? 'this host\'s access expired' : `this host has ${access.level} access, ${need} is needed`;
    throw new MeshError('NOT_AUTHORISED', `${why} (${s.name})`, { vault: s.id });
  }

  private currentOf(s: VaultState): GenerationState {
    if (!s.current) throw new MeshError('VAULT_LOCKED', `vault ${s.name} has no generation key yet`);
    return s.current;
  }

  private genKey(gen: GenerationState): Uint8Array {
    const cached = this.genKeys.get(gen.id);
    if (cached) return cached;
    const key = openGeneration({ gen: gen.gen, wraps: Object.fromEntries(gen.wraps) }, this.self, this.deps.boxKey().secretKey);
    this.genKeys.set(gen.id, key);
    return key;
  }

  private resolveHost(ref: string): string {
    if (this.deps.membership.get(ref)) return ref;
    const byName = this.deps.membership.list().filter(([, m]) => m.name === ref && !m.removed);
    if (byName.length === 1) return byName[0]![0];
    if (byName.length > 1) throw new MeshError('AMBIGUOUS_ID', `several hosts are named ${ref}; use the peer id`);
    throw notFound(`no host ${ref} in the mesh`, { host: ref });
  }

  private teamHosts(team: string): string[] {
    return this.deps.membership.list().filter(([, m]) => !m.removed && m.teams.includes(team)).map(([p]) => p);
  }

  private targets(input: { host?: string | undefined; person?: string | undefined; team?: string | undefined }): string[] {
    if (input.host !== undefined) return [this.resolveHost(input.host)];
    const team = (input.team ?? input.person)!;
    const hosts = this.teamHosts(team);
    if (hosts.length === 0) throw notFound(`no host is granted the team ${team}${input.person ? ' (a person is the team of their hosts: mesh teams grant <host> ' + team + ')' : ''}`, { team });
    return hosts;
  }

  /** Was this peer's access ended by a revocation (so a team reconcile does not re-grant it behind an admin's back)? */
  private revokedIn(s: VaultState, peer: string): boolean {
    return this.revocationsOf(s, peer).length > 0;
  }

  private revocationsOf(s: VaultState, peer: string): string[] {
    return this.opsOf(s).filter(([, e]) => e.op.kind === 'revoke' && e.op.peer === peer).map(([id]) => id);
  }

  private opsOf(s: VaultState): [string, SignedVaultOp][] {
    return [...(this.deps.book.cached(s.id) ?? new Map<string, SignedVaultOp>())];
  }

  private grantBodies(s: VaultState, targets: string[], level: AccessLevel, expires: number | undefined, team: string | undefined): { bodies: VaultOpBody[]; granted: { peer: string; name: string | null }[]; skipped: { peer: string; reason: string }[] } {
    const bodies: VaultOpBody[] = [];
    const granted: { peer: string; name: string | null }[] = [];
    const skipped: { peer: string; reason: string }[] = [];
    // The generations the current secrets are sealed under, and the current one: a grantee needs their keys.
    const needed = new Set<string>([...s.entries.values()].map((e) => e.g));
    if (s.current) needed.add(s.current.id);
    for (const peer of targets) {
      if (peer === this.self) continue;
      if (this.removedAt(peer) !== undefined) {
        skipped.push({ peer, reason: 'removed from the mesh' });
        continue;
      }
      const box = this.deps.membership.boxKeyOf(peer);
      if (!box) {
        skipped.push({ peer, reason: 'has not published a box key yet (its daemon publishes it when it starts)' });
        continue;
      }
      const pub = new Uint8Array(Buffer.from(box, 'base64'));
      const wraps: Record<string, Wrap> = {};
      for (const g of needed) {
        const gen = s.generations.get(g);
        if (gen) wraps[g] = wrapKey(this.genKey(gen), pub);
      }
      const overrides = this.revocationsOf(s, peer);
      bodies.push({ kind: 'grant', peer, level, ...(expires !== undefined ? { expires } : {}), overrides, ...(team !== undefined ? { team } : {}), wraps });
      granted.push({ peer, name: this.deps.membership.get(peer)?.name ?? null });
    }
    return { bodies, granted, skipped };
  }

  private async revokeAndRotate(s: VaultState, peers: string[]): Promise<{ generation: number; resealed: number }> {
    const ops = this.opsOf(s);
    const bodies: VaultOpBody[] = [];
    for (const peer of peers) {
      if (!s.members.has(peer)) continue;
      const ends = ops.filter(([, e]) => e.op.kind === 'grant' && e.op.peer === peer).map(([id]) => id).slice(-64);
      bodies.push({ kind: 'revoke', peer, ends, head: s.heads.get(peer) ?? null });
    }
    const gone = new Set(peers);
    const key = nacl.randomBytes(nacl.secretbox.keyLength);
    const wraps: Record<string, Wrap> = {};
    for (const [peer] of s.members) {
      if (gone.has(peer)) continue;
      const box = peer === this.self ? Buffer.from(this.deps.boxKey().publicKey).toString('base64') : this.deps.membership.boxKeyOf(peer);
      if (box) wraps[peer] = wrapKey(key, new Uint8Array(Buffer.from(box, 'base64')));
    }
    const values: Record<string, SealedEntry> = {};
    for (const e of s.entries.values()) {
      const gen = s.generations.get(e.g);
      if (!gen) continue;
      const opened = openEntry(this.genKey(gen), e.entry);
      values[e.name] = sealEntry(key, opened.value, opened.meta);
    }
    const next = (s.current?.gen ?? -1) + 1;
    bodies.push({ kind: 'generation', gen: next, wraps, values });
    const written = await this.sign(s, bodies);
    this.genKeys.set(written.at(-1)!, key);
    return { generation: next, resealed: Object.keys(values).length };
  }

  /** Signs operations in order (each after what this host has seen, chained on its own last one) and writes them in one change. */
  private async sign(s: VaultState, bodies: VaultOpBody[]): Promise<string[]> {
    let at = Math.max(this.now(), s.maxAt + 1);
    let prev = s.heads.get(this.self) ?? null;
    const signed: { id: string; entry: SignedVaultOp }[] = [];
    for (const body of bodies) {
      const op = await signVaultOp(this.deps.signer, s.id, body, at, prev);
      signed.push(op);
      prev = op.id;
      at += 1;
    }
    await this.writeOps(s.id, signed);
    return signed.map((o) => o.id);
  }

  private async writeOps(id: string, ops: { id: string; entry: SignedVaultOp }[]): Promise<void> {
    const entries = ops.map((o): [string, string] => [o.id, canonicalJson(o.entry as unknown as SignableJson)]);
    await this.deps.store.mutate<Record<string, unknown>>('vaults', id, (current) => {
      const doc = withEntries(current, this.deps.store.actor, entries, 'vault');
      return { doc, view: vaultStoredView(doc), scope: 'mesh' };
    });
  }
}
