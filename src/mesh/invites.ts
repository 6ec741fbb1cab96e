import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MeshError } from '../errors.js';
import type { DocStore } from '../store/DocStore.js';

/**
 * Single-use, expiring invites. The token carries the mesh key, the inviter's addresses and a
 * one-time secret; the inviter keeps only the secret's hash (host-local, never replicated) and
 * marks it used at first contact, so a replayed or expired token is refused.
 */
const TOKEN_PREFIX = 'hm1.';

export const InviteTokenSchema = z.object({
  v: z.literal(1),
  mesh: z.string().min(1),
  psk: z.string().min(1),
  inviter: z.string().min(1),
  addrs: z.array(z.string()).min(1),
  secret: z.string().regex(/^[0-9a-f]{64}$/),
  exp: z.number(),
  /** The mesh's membership root (genesis operation id): the joiner trusts this root and no other. */
  root: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Fingerprint of the inviter's signing key (as `mesh whoami` prints it): the joiner refuses a token whose inviter key does not match. */
  fp: z.string().regex(/^[0-9a-f]{4}(:[0-9a-f]{4}){3,15}$/).optional(),
  /** Fingerprint of the inviter's box key (vault key wrapping), when it has one: shown to compare. */
  box_fp: z.string().regex(/^[0-9a-f]{4}(:[0-9a-f]{4}){3,15}$/).optional(),
});
export type InviteToken = z.infer<typeof InviteTokenSchema>;

interface InviteRecord {
  expiresAt: number;
  createdAt: number;
  usedAt: number | null;
  usedBy: string | null;
}

const KEY_PREFIX = 'invite/';

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function encodeToken(token: InviteToken): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeToken(text: string): InviteToken {
  const trimmed = text.trim();
  if (!trimmed.startsWith(TOKEN_PREFIX)) throw new MeshError('INVALID_INPUT', 'not a hivemesh invite token (it should start with "hm1.")');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(trimmed.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new MeshError('INVALID_INPUT', 'the invite token is damaged (copy it again, whole)');
  }
  const parsed = InviteTokenSchema.safeParse(raw);
  if (!parsed.success) throw new MeshError('INVALID_INPUT', 'the invite token is damaged (copy it again, whole)');
  return parsed.data;
}

export class Invites {
  private outstanding = 0;
  private nextExpiry = 0;
  /** Consumes run one at a time: two joiners racing with one token must not both read it unused. */
  private consuming: Promise<void> = Promise.resolve();

  constructor(private readonly store: DocStore) {}

  async start(): Promise<void> {
    await this.recount();
  }

  async create(ttlMs: number, now = Date.now()): Promise<{ secret: string; expiresAt: number }> {
    const secret = randomBytes(32).toString('hex');
    const expiresAt = now + ttlMs;
    await this.store.putLocal(KEY_PREFIX + hashOf(secret), { expiresAt, createdAt: now, usedAt: null, usedBy: null } satisfies InviteRecord);
    await this.recount();
    return { secret, expiresAt };
  }

  /**
   * Marks the invite used by `peer`; throws a reason a joiner can act on when it cannot be used.
   * Checked on this (the inviter's) side at every use, whatever the joiner's token or `mesh.json`
   * says: expiry first, then removal (`wasRemoved`: a removed peer never re-admits itself with an
   * invite, not even its own old one; only an admin's explicit re-add brings it back).
   */
  consume(secret: string, peer: string, wasRemoved: (peer: string) => boolean, now = Date.now()): Promise<void> {
    const run = this.consuming.then(() => this.consumeNow(secret, peer, wasRemoved, now));
    this.consuming = run.catch(() => undefined);
    return run;
  }

  private async consumeNow(secret: string, peer: string, wasRemoved: (peer: string) => boolean, now: number): Promise<void> {
    const key = KEY_PREFIX + hashOf(secret);
    const record = await this.store.getLocal<InviteRecord>(key);
    if (!record) throw new MeshError('INVALID_INPUT', 'unknown invite');
    if (record.expiresAt <= now) throw new MeshError('INVALID_INPUT', 'this invite has expired');
    if (wasRemoved(peer)) throw new MeshError('NOT_AUTHORISED', 'this host was removed from the mesh; only an admin can re-admit it (mesh peers readmit)');
    // The same peer retrying after a lost reply (before expiry) is let in again; anyone else is refused.
    if (record.usedAt !== null && record.usedBy === peer) return;
    if (record.usedAt !== null) throw new MeshError('INVALID_INPUT', 'this invite was already used');
    await this.store.putLocal(key, { ...record, usedAt: now, usedBy: peer } satisfies InviteRecord);
    await this.recount();
  }

  /** True while some invite is unused and unexpired: only then may unknown peers connect. */
  hasOutstanding(now = Date.now()): boolean {
    return this.outstanding > 0 && this.nextExpiry > now;
  }

  private async recount(now = Date.now()): Promise<void> {
    let outstanding = 0;
    let last = 0;
    for await (const [, r] of this.store.scanLocal<InviteRecord>(KEY_PREFIX)) {
      if (r.usedAt === null && r.expiresAt > now) {
        outstanding++;
        last = Math.max(last, r.expiresAt);
      }
    }
    this.outstanding = outstanding;
    this.nextExpiry = last;
  }
}
