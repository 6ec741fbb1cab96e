/** Limits and windows of the trust layer, each with its reason. */

/** Signature domain of membership operations (see signing.ts: a domain keeps signatures for one purpose from being replayed as another). */
export const MEMBERSHIP_OP_DOMAIN = 'membership-op/1';

/**
 * How long after a member's removal a tombstone it signed before the removal still counts.
 * Hosts that were offline receive genuine erasures late; a removed host can also backdate one
 * into this window, so it is kept short: a weekend offline plus a day. After it, every
 * tombstone of the removed signer is refused; one claiming a time after the removal always is.
 */
export const TOMBSTONE_GRACE_AFTER_REMOVAL_MS = 3 * 24 * 60 * 60 * 1000;

/**
 * Clock difference tolerated between an admin's clock (which stamps a member's admission) and the
 * member's own (which stamps its tombstones): a tombstone may claim a time this much before the
 * member was added.
 */
export const CLOCK_SKEW_MS = 10 * 60 * 1000;

/** Rounds of the membership fold's fixed point (removals discard concurrent operations, which can change removals). Converges in 2-3 in practice. */
export const FOLD_MAX_ROUNDS = 8;

/** Parents an operation may name: the heads of the graph its author saw; more means a hostile entry. */
export const MAX_OP_PARENTS = 64;

/** Rejected entries kept for `mesh status` (newest first); the rest are counted. */
export const MAX_REPORTED_REJECTIONS = 50;

/** A refused peer's connection attempts are logged once per this interval, with a count, not per attempt. */
export const REFUSED_LOG_INTERVAL_MS = 10 * 60 * 1000;
