import * as A from '@automerge/automerge';
import { actorForPeer } from '../authorship/actorBinding.js';
import { changeMeta, type ChangeMeta } from '../authorship/changeMeta.js';
import type { Membership } from '../mesh/Membership.js';
import type { DocStore } from '../store/DocStore.js';
import type { GuardVerdict, IncomingDocument, IncomingGuard } from '../sync/IncomingGuard.js';
import { GUEST_EXPIRY_TOLERANCE_MS } from './constants.js';
import { roleWrites } from './roles.js';

type TeamView = { scope?: unknown; team?: unknown };

/**
 * Rights on team documents, checked where a replica applies a memory that is (or was, in its
 * copy) scoped to a team: every change it does not hold yet must be written by a host that may
 * write in that team, as this replica's signed membership says now:
 * - a mesh admin, or a host whose role in the team wrote (owner, admin, member, guest) at the
 *   time the change claims: never a readonly member; a member demoted later keeps its earlier
 *   writes, also on replicas that receive them later (a newcomer to the team);
 * - a current guest's grant is live by this replica's own clock, and the change claims a time
 *   within it, both with GUEST_EXPIRY_TOLERANCE_MS of clock difference: an expired guest's writes
 *   stop counting on every replica, whatever its own clock says;
 * - a team memory that names no team (written before named teams) needs a writing role in any team.
 * The writer of a change is the member its actor is bound to (signed authorship, checked before
 * this guard by AuthorshipGuard). A relayed change is judged by its writer, never its sender.
 */
export class TeamWriteGuard implements IncomingGuard {
  readonly name = 'team-role';

  constructor(
    private readonly store: Pick<DocStore, 'view' | 'load'>,
    private readonly membership: Pick<Membership, 'mode' | 'isAdmin' | 'teamsOf' | 'teamRole' | 'teamGrant' | 'teamGrantAt' | 'peerOfActor' | 'activePeers'>,
    private readonly now: () => number = Date.now,
  ) {}

  async check({ collection, id, payload }: IncomingDocument): Promise<GuardVerdict> {
    if (collection !== 'memories' || payload.tomb || payload.missing || this.membership.mode !== 'signed') return { ok: true };
    if (!payload.changes?.length && !payload.full) return { ok: true };
    const mine = await this.store.view<TeamView>('memories', id);
    const teams = new Set<string>();
    const add = (v: TeamView | undefined) => {
      if (v?.scope === 'team') teams.add(typeof v.team === 'string' ? v.team : '');
    };
    add(mine);
    // A live push carries changes and no view: its outcome is worked out here, or a push would bypass the rule.
    add(payload.view !== undefined ? (payload.view as TeamView) : await this.viewAfter(id, payload));
    if (teams.size === 0) return { ok: true };

    let metas: ChangeMeta[];
    try {
      metas = (payload.changes ?? []).map(changeMeta);
      if (payload.full) metas.push(...A.getChangesMetaSince(A.load<unknown>(payload.full), []).map((m) => ({ hash: m.hash, actor: m.actor, seq: m.seq, time: m.time })));
    } catch (err) {
      return { ok: false, reason: `unreadable changes: ${(err as Error).message}` };
    }
    const own = mine ? await this.store.load('memories', id) : undefined;
    const fresh = own ? metas.filter((m) => !A.hasHeads(own, [m.hash])) : metas;
    const now = this.now();
    for (const m of fresh) {
      const writer = this.writerOf(m.actor);
      if (writer === undefined) return { ok: false, reason: `team memory changed by actor ${m.actor.slice(0, 8)}, bound to no member`, retryAfterMembership: true };
      if (this.membership.isAdmin(writer)) continue;
      for (const team of teams) {
        const refusal = this.refusal(writer, team, m.time * 1000, now);
        if (refusal) return { ok: false, reason: refusal };
      }
    }
    return { ok: true };
  }

  /** Scope and team of the document once the payload is applied to this host's copy (or to nothing). */
  private async viewAfter(id: string, payload: IncomingDocument['payload']): Promise<TeamView | undefined> {
    try {
      const local = await this.store.load<TeamView>('memories', id);
      let doc = local ? A.clone(local) : A.init<TeamView>();
      if (payload.changes?.length) [doc] = A.applyChanges(doc, payload.changes);
      if (payload.full) doc = A.merge(doc, A.load<TeamView>(payload.full));
      return { scope: typeof doc.scope === 'string' ? doc.scope : undefined, team: typeof doc.team === 'string' ? doc.team : undefined };
    } catch {
      return undefined; // undecodable: the apply step refuses it
    }
  }

  private refusal(writer: string, team: string, claimedAt: number, now: number): string | null {
    const who = writer.slice(-8);
    if (team === '') {
      const writes = this.membership.teamsOf(writer, now).some((t) => roleWrites(this.membership.teamRole(writer, t, now)!));
      return writes ? null : `a team memory written by ${who}, which writes in no team (readonly, or its guest grant expired)`;
    }
    // A guest now: its grant's end is judged by this replica's clock (and the change's claimed time).
    if (this.membership.teamGrant(writer, team)?.role === 'guest') {
      const role = this.membership.teamRole(writer, team, now);
      if (role === undefined) return `a team memory of ${team} written by ${who}, which is not in team ${team} (or its guest grant expired by this host's clock)`;
      const expires = this.membership.teamGrant(writer, team)?.expires_at ?? null;
      if (expires !== null && claimedAt > expires + GUEST_EXPIRY_TOLERANCE_MS) return `a team memory of ${team} written by guest ${who} after its grant expired`;
      return null;
    }
    // Otherwise by the role it had when it wrote, so a later demotion keeps its earlier writes valid.
    const then = this.membership.teamGrantAt(writer, team, claimedAt + GUEST_EXPIRY_TOLERANCE_MS);
    if (then === undefined) return `a team memory of ${team} written by ${who}, which was not in team ${team} then`;
    if (!roleWrites(then.role)) return `a team memory of ${team} written by ${who}, a ${then.role} member of it`;
    if (then.expires_at !== null && claimedAt > then.expires_at + GUEST_EXPIRY_TOLERANCE_MS) return `a team memory of ${team} written by guest ${who} after its grant expired`;
    return null;
  }

  private writerOf(actor: string): string | undefined {
    return this.membership.peerOfActor(actor) ?? this.membership.activePeers().find((p) => actorForPeer(p) === actor);
  }
}
