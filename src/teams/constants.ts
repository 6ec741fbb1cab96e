/** Limits and windows of teams, roles and modes, each with its reason. */

/**
 * A guest grant given without `expires_at` lasts this long: guests always expire (a contractor,
 * an auditor, a host borrowed for an incident), and a week covers one engagement without a
 * forgotten guest keeping access for months.
 */
export const DEFAULT_GUEST_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Longest grant a guest can be given: longer than this, make it a member (or readonly). */
export const MAX_GUEST_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * Clock difference tolerated when a replica decides that a guest's grant has expired, by its own
 * clock: a write counts on a replica only if the replica applies it no later than this after the
 * grant's expiry and it claims a time no later than this after it. The same bound as the trust
 * layer's skew between an admin's and a member's clock (trust/constants.ts CLOCK_SKEW_MS), so a
 * guest's last write made in time on a slightly slow clock still counts; a write delivered later
 * than that (the guest was offline past its expiry) is refused everywhere and reported.
 */
export const GUEST_EXPIRY_TOLERANCE_MS = 10 * 60 * 1000;

/** Team-scoped writes and membership changes `get_team_activity` returns at most. */
export const MAX_TEAM_ACTIVITY = 200;
export const DEFAULT_TEAM_ACTIVITY = 50;
/** Recent memories examined for a team's activity (the newest first). */
export const TEAM_ACTIVITY_SCAN = 2000;
