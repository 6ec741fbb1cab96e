import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TEAM_ROLE_CHANGES } from '../teams/roles.js';
import { MAX_OP_PARENTS, MEMBERSHIP_OP_DOMAIN } from './constants.js';
import { canonicalJson, signedJsonBytes, verifyJson, type Signer } from './signing.js';

/**
 * Membership operations: each one signed by its author's libp2p key, naming the operations its
 * author had seen (`prev`), so together they form a signed graph like a Keybase sigchain or
 * @localfirst/auth's membership graph. An operation's id is the hash of its signed bytes, so an
 * entry cannot be altered without changing its id, and its parents pin what its author knew.
 */
const PeerId = z.string().regex(/^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'a libp2p Ed25519 peer id');
const OpId = z.string().regex(/^[0-9a-f]{64}$/);
const Name = z.string().min(1).max(200);
const Addrs = z.array(z.string().min(1).max(300)).max(32);
const Team = z.string().min(1).max(100);
const ActorId = z.string().regex(/^[0-9a-f]{32}$/);
/** An X25519 box public key (32 bytes, base64): what vault generation keys are wrapped to. */
const BoxKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

const Common = {
  v: z.literal(1),
  /** The mesh this operation belongs to: an operation of one mesh is never valid in another. */
  mesh: z.string().min(1).max(100),
  by: PeerId,
  /** Author's clock (ms). Orders nothing (the graph does); dates admissions and removals for tombstones. */
  at: z.number().int().nonnegative(),
  prev: z.array(OpId).max(MAX_OP_PARENTS),
};

export const MembershipOpSchema = z.discriminatedUnion('kind', [
  /** The mesh's root: its creator, first admin. */
  z.object({ ...Common, kind: z.literal('genesis'), peer: PeerId, name: Name, addrs: Addrs, actor: ActorId.optional() }).strict(),
  /** An admin admits a peer (or re-admits one whose removal it has seen). */
  z.object({ ...Common, kind: z.literal('add'), peer: PeerId, name: Name, addrs: Addrs }).strict(),
  /** An admin takes a member out. */
  z.object({ ...Common, kind: z.literal('remove'), peer: PeerId }).strict(),
  /** A host changes its own name, addresses, Automerge actor id or vault box public key; nobody else's. */
  z.object({ ...Common, kind: z.literal('update'), peer: PeerId, name: Name, addrs: Addrs, actor: ActorId.optional(), box: BoxKey.optional() }).strict(),
  /** An admin makes a member an admin, or stops it being one. */
  z.object({ ...Common, kind: z.literal('admin'), peer: PeerId, admin: z.boolean() }).strict(),
  /**
   * A mesh admin, or an owner or admin of the team, sets a member's role in it (`none` takes it
   * out); a member creates a team nobody holds by making itself its owner (teams/teamRoleRules.ts).
   * `expires_at` (epoch ms): when a guest's grant ends; required for guests, refused for others.
   */
  z.object({ ...Common, kind: z.literal('team'), peer: PeerId, team: Team, role: z.enum(TEAM_ROLE_CHANGES), expires_at: z.number().int().positive().optional() }).strict(),
]);
export type MembershipOp = z.infer<typeof MembershipOpSchema>;
export type OpKind = MembershipOp['kind'];

/** What is stored (as one immutable string per operation, keyed by its id) in the membership document. */
export const SignedOpSchema = z.object({ op: MembershipOpSchema, sig: z.string().min(1).max(200) }).strict();
export type SignedOp = z.infer<typeof SignedOpSchema>;

/** Fields an author fills in; `v`, `mesh`, `by`, `at`, `prev` are added when signing. */
export type OpBody = MembershipOp extends infer T ? (T extends MembershipOp ? Omit<T, 'v' | 'mesh' | 'by' | 'at' | 'prev'> : never) : never;

export function opIdOf(op: MembershipOp): string {
  return createHash('sha256').update(signedJsonBytes(MEMBERSHIP_OP_DOMAIN, op)).digest('hex');
}

export async function signOp(signer: Signer, meshId: string, body: OpBody, prev: string[], at = Date.now()): Promise<{ id: string; entry: SignedOp; text: string }> {
  // Through JSON first: an optional field left undefined is dropped, as it would be by every verifier.
  const op = MembershipOpSchema.parse(JSON.parse(JSON.stringify({ ...body, v: 1, mesh: meshId, by: signer.peerId, at, prev: [...new Set(prev)].sort() })));
  const sig = await signer.signJson(MEMBERSHIP_OP_DOMAIN, op);
  const entry: SignedOp = { op, sig };
  return { id: opIdOf(op), entry, text: canonicalJson(entry) };
}

export type EntryCheck = { ok: true; entry: SignedOp } | { ok: false; reason: string };

/**
 * Checks one stored entry on its own: well formed, of this mesh, stored under its own id, and
 * signed by the peer it names as author. Whether that author had the right is the fold's question.
 */
export async function checkEntry(id: string, text: string, meshId: string | undefined): Promise<EntryCheck> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = SignedOpSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `malformed: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
  const { op, sig } = parsed.data;
  if (meshId !== undefined && op.mesh !== meshId) return { ok: false, reason: 'belongs to another mesh' };
  if (opIdOf(op) !== id) return { ok: false, reason: 'stored under an id that is not its hash' };
  if (!(await verifyJson(op.by, MEMBERSHIP_OP_DOMAIN, op, sig))) return { ok: false, reason: `bad signature for ${op.by}` };
  return { ok: true, entry: parsed.data };
}
