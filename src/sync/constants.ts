/** Replication protocol ids, limits and timings, each with the reason for its value. */

/** Versioned protocol ids: a peer speaking a later version negotiates down or is refused cleanly. */
export const SYNC_PROTOCOL = '/hivemesh/sync/1';
export const JOIN_PROTOCOL = '/hivemesh/join/1';

/** Largest frame on a sync stream. A page of documents is kept well under it; more is hostile. */
export const MAX_SYNC_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * The private-network cipher's WebAssembly memory is grown to this once at start (see
 * pnetCipherFix.ts): more than any chunk it is handed (a sync frame is at most 8 MiB), far below
 * its 62.5 MiB maximum.
 */
export const PNET_CIPHER_MEMORY_BYTES = 12 * 1024 * 1024;

/** Room for a frame's varint length prefix (at most 10 bytes) in the stream's read buffer. */
export const FRAME_PREFIX_BYTES = 16;

/**
 * Feed entries per page (the most a peer accepts): one page answers a reconnect after a normal
 * day's work, and an initial sync of 100k documents takes 20 round trips instead of 50.
 */
export const FEED_PAGE = 5_000;

/**
 * Documents per `get` request. 500 typical memories (~1.5 KB each with their view) make a
 * ~0.75 MiB reply; fewer requests per sync (each opens a stream and negotiates its protocol).
 */
export const GET_BATCH = 500;

/**
 * A `get` reply stops adding documents before it passes this many bytes (documents and views)
 * and the requester asks again for the rest, so a batch of large memories (up to 64k characters
 * each) stays inside the frame, msgpack overhead included — and inside the 4 MiB read buffer of
 * hosts running an earlier version, which did not raise libp2p's default.
 */
export const GET_REPLY_BYTES = 3 * 1024 * 1024;

/**
 * A pull that fetches at least this many documents is a bulk sync (a newcomer's first pull, a
 * laptop back after days): embedding what arrives waits until it ends, so the CPU goes to
 * storing and keyword-indexing first. Live pushes and ordinary anti-entropy pulls stay below it.
 */
export const BULK_PULL_DOCS = 200;

/**
 * Documents whose last write's changes are kept in memory, to answer a peer exactly one write
 * behind without loading the document and extracting them again (`getChangesSince` costs
 * ~0.33 ms a document here and a load ~1 ms, against ~0.5 KB kept per document): the common
 * reconnect, where each changed document was written once while the peer was away. A day of a
 * busy team's writes fits; older ones fall back to the general path.
 */
export const RECENT_CHANGES_DOCS = 8_192;

/** A single document larger than this is not sent whole (logged instead); memories are far smaller. */
export const MAX_DOC_BYTES = 4 * 1024 * 1024;

/**
 * A safety net under the per-peer cursors: this often, anti-entropy compares the heads of every
 * document in one random connected member's feed (from the start, echo filter off) with ours and
 * fetches what differs, so a cursor that ever moved past a document it should not have heals
 * within this time. Daily, not hourly: at 100k documents a sweep costs ~1.5 s of CPU over both
 * hosts and ~13 MB on the wire (BENCHMARKS.md, issue 4), too much for a laptop every few minutes
 * against a failure never reproduced (the one seen was the board's start-up window, not a cursor).
 */
export const FULL_SWEEP_INTERVAL_MS = 24 * 60 * 60_000;

/** Anti-entropy: every interval, pull from this many random connected members. Bounded per host however many hosts join. */
export const ANTI_ENTROPY_INTERVAL_MS = 5_000;
export const ANTI_ENTROPY_FANOUT = 3;

/** Dial backoff for members we are not connected to: fast at first, capped so a returning laptop is found within a minute. */
export const DIAL_BACKOFF_MIN_MS = 500;
export const DIAL_BACKOFF_MAX_MS = 30_000;

/**
 * How often the dialler looks for members to (re)dial. Short, because it bounds how soon a link
 * that comes back is used (the "link" reconnect in BENCHMARKS.md); a sweep only walks the list of
 * targets (tens of addresses) and dials the ones whose backoff has passed.
 */
export const REDIAL_SWEEP_MS = 500;

/**
 * A target we were connected to less than this long ago is redialled at every sweep instead of
 * backing off: a link lost a moment ago (Wi-Fi roaming, a switch or VPN restart, a laptop lid
 * closed for a minute) usually comes back soon, and both ends notice at once. A refused dial
 * costs a SYN and a RST; at most one dial per target is in flight, so an unreachable host costs one
 * pending socket. After this the backoff grows to DIAL_BACKOFF_MAX_MS as before.
 */
export const RECENT_LINK_MS = 2 * 60_000;

/**
 * Quick redials of a recently lost link before the backoff applies: enough for a peer that is
 * restarting (it listens again within a few sweeps); a peer that refuses us is not hammered.
 */
export const RECENT_LINK_QUICK_REDIALS = 20;

/**
 * At start, work that competes for the CPU but is not needed to catch up (loading the embedding
 * model, opening the vector index: ~0.35–0.85 s on this machine, on the same event loop) waits for
 * the first pull from a member, for at most this long when no member answers (an offline laptop),
 * so the catch-up after a restart is not slowed by it (the "restart" reconnect in BENCHMARKS.md).
 */
export const STARTUP_SYNC_GRACE_MS = 2_000;

/** ...and for that first round of pulls to end, for at most this long (an initial sync of a large store). */
export const STARTUP_SYNC_MAX_WAIT_MS = 60_000;

/** One request/response exchange must finish within this, or the stream is aborted. */
export const SYNC_REQUEST_TIMEOUT_MS = 30_000;

/** Invites expire after this by default: long enough to paste into another terminal, short enough to be harmless if leaked later. */
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A joiner whose inviter answers no join (it closes the exchange: the invite is no longer one it
 * accepts) stops after this many tries, waiting 1 s, 2 s, ... up to 60 s between them: an inviter
 * restarting mid-join gets a second chance, a used invite does not loop for ever.
 */
export const JOIN_GIVE_UP_AFTER = 3;
export const JOIN_BACKOFF_START_MS = 1_000;
export const JOIN_BACKOFF_MAX_MS = 60_000;

/** Default TCP port of the daemon's libp2p listener. */
export const DEFAULT_P2P_PORT = 7411;

/**
 * Documents that failed one by one (refused, undecodable, unsendable) kept for `mesh status` and
 * `mesh doctor`: enough to name every bad document of a real store, bounded against a peer that
 * sends thousands.
 */
export const REJECTED_DOCS_KEPT = 1_000;

/**
 * A refused version is asked for again after this long (a newer version at once): a refusal can
 * be transient (a signer not known yet), but asking every anti-entropy round for a document that
 * will never apply would cost a fetch every few seconds.
 */
export const REJECTED_RETRY_MS = 5 * 60_000;

/**
 * Heads digest (see HeadsDigest.ts): documents are spread over DIGEST_LEAVES buckets by id,
 * grouped DIGEST_LEAVES / DIGEST_TOPS to a top bucket. A round where nothing differs costs one
 * exchange of DIGEST_TOPS × 4 bytes; a difference costs two more exchanges (the leaves of the
 * differing tops, then the heads of the documents in differing leaves: ~25 documents a leaf
 * at 100k).
 */
export const DIGEST_LEAVES = 4_096;
export const DIGEST_TOPS = 64;

/**
 * At most this many differing leaves are reconciled per round and peer (a random choice of them),
 * so a host far behind (or a flood of writes in flight) costs a bounded page per round; the
 * cursor pull catches up the bulk, the digest the stragglers.
 */
export const DIGEST_MAX_LEAVES_PER_ROUND = 64;

/** The digest exchanges have their own protocol id, so a peer running an earlier version refuses them at negotiation, quietly. */
export const SYNC_DIGEST_PROTOCOL = '/hivemesh/sync-digest/1';

/**
 * `stop()` cancels every request and page loop, then waits at most this long for them to unwind
 * (a store write already queued completes; the store flushes it when it closes).
 */
export const SYNC_STOP_WAIT_MS = 500;
/**
 * A pulled batch's documents are applied concurrently (their writes group-commit), but started this
 * many at a time with a turn of the event loop between: each start checks authorship synchronously
 * (a whole document is loaded, ~0.5 ms), so starting a 500-document batch at once held the loop
 * for 250 ms or more, and a stop waited behind it (issue 11: stop during an initial sync). 16 made
 * the store's group commits smaller and a pull of 2,000 documents slower by a third (BENCHMARKS,
 * "#11 re-run"); 64 keeps a turn of the loop under ~50 ms on an idle host.
 */
export const APPLY_START_GROUP = 64;
/** Agent presence and clock offsets (src/sync/Presence.ts): ephemeral, never stored. */
export const PRESENCE_PROTOCOL = '/hivemesh/presence/1';
/** A presence exchange is two small frames: a slow one means the peer is busy, not that the agents went away. */
export const PRESENCE_TIMEOUT_MS = 10_000;
/** Agents one presence message may carry (live agents of the whole mesh, relayed): far above a team's sessions. */
export const MAX_PRESENCE_AGENTS = 2_000;
/** Connected members a presence message lists (the dashboard's link picture): far above a team's ~30 hosts. */
export const MAX_PRESENCE_LINKS = 256;
/** A version string in a presence message ("0.1.0", a git describe): anything longer is not a version. */
export const MAX_PRESENCE_VERSION_CHARS = 64;
/**
 * Distinct addresses or peers `mesh status` counts per refusal reason: past it the count says
 * "at least" (an intruder making up addresses or peer ids must not grow the daemon's memory).
 */
export const MAX_COUNTED_REFUSAL_SOURCES = 1_000;
