/** Protocol ids, limits and timeouts, each with the reason for its value. */

/** Version of the memory document layout; stored in every document so later readers can migrate. */
export const MEMORY_FORMAT_VERSION = 1;

/** Largest memory content, in characters. Notes and runbooks fit; whole log dumps do not, keeping documents (and sync frames) small. */
export const MAX_CONTENT_CHARS = 65_536;

/** Largest `context` field, in characters. */
export const MAX_CONTEXT_CHARS = 8_192;

/** Tags per memory and characters per tag: enough for real tagging, bounded for the index. */
export const MAX_TAGS = 32;
export const MAX_TAG_CHARS = 64;

/** Serialized metadata object limit, in characters, so a metadata blob cannot bypass the content limit. */
export const MAX_METADATA_CHARS = 16_384;

/** Largest frame on the local socket. A maximal memory plus envelope fits with room; anything bigger is a bug or hostile. */
export const MAX_IPC_FRAME_BYTES = 8 * 1024 * 1024;

/** Default soft-delete retention: deleted memories stay recoverable this long, then are erased. */
export const DEFAULT_RETENTION_DAYS = 30;

/** How often the daemon looks for soft-deleted memories past retention. */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Index checkpoint cadence when dirty: folds SQLite's WAL and trims the store's replay log, bounding both. */
export const INDEX_CHECKPOINT_INTERVAL_MS = 30_000;

/** Replayed log entries above which the daemon checkpoints the index right after start. */
export const INDEX_CHECKPOINT_REPLAY_THRESHOLD = 1_000;

/** Automerge documents kept loaded for writers; loading costs ~1 ms, so a modest cache covers hot documents. */
export const DOC_CACHE_SIZE = 2_048;

/** How long a client waits for a freshly spawned daemon to accept connections (model loading later adds to start time). */
export const DAEMON_START_TIMEOUT_MS = 20_000;

/** How long a client waits for a daemon reply before giving up. Long operations (reindex) report progress instead. */
export const IPC_REQUEST_TIMEOUT_MS = 60_000;

/** Unix socket paths are limited to 107 bytes on Linux (104 on macOS); we check before binding. */
export const MAX_SOCKET_PATH_BYTES = 103;

/** Search defaults: results returned when the caller gives no limit, and the hard cap. */
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 100;

/** Listing defaults for recent/deleted/project queries. */
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 500;

/** Shortest id prefix accepted for a full id (like git's 4): a slip of a character or two cannot pick a document by accident. */
export const MIN_ID_PREFIX = 4;
/** How often a foreground daemon checks that its parent still runs (a check is one getppid call). */
export const PARENT_CHECK_INTERVAL_MS = 1_000;
/** Candidates named when an id prefix is ambiguous: enough to pick from, short enough for one line. */
export const AMBIGUOUS_ID_CANDIDATES = 5;

/** Version of the agent and task document layouts, stored in every document for later migrations. */
export const AGENT_FORMAT_VERSION = 1;
export const TASK_FORMAT_VERSION = 1;

/**
 * Default heartbeat cadence of a connected agent session. Each beat is one small Automerge change
 * replicated to every host, so it is a compromise between liveness resolution and history growth
 * (~2,900 changes a day for an agent connected all day).
 */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

/** An agent whose last heartbeat is older than this is offline: three missed beats, so one lost beat or a slow relay is tolerated. */
export const DEFAULT_OFFLINE_AFTER_SECONDS = 3 * DEFAULT_HEARTBEAT_SECONDS;

/** A live agent that made no call for this long is idle: still reachable, a good target for new work. */
export const DEFAULT_IDLE_AFTER_SECONDS = 10 * 60;

/** Offline agents are forgotten after a week: long enough to read who did what last week, short enough that the roster is about now. */
export const DEFAULT_AGENT_FORGET_DAYS = 7;

/** A newly registered agent's inbox starts with the broadcasts of the last day, so a fresh session learns what was just discovered. */
export const INBOX_BACKLOG_MS = 24 * 3_600_000;

/** Broadcasts returned per inbox read; older unread ones stay for the next read. */
export const INBOX_PAGE = 20;

/** Tag that marks a memory as a broadcast discovery (what agents' inboxes are made of). */
export const BROADCAST_TAG = 'broadcast';

/** Task title and description limits: a card title, and a description as long as a memory. */
export const MAX_TASK_TITLE_CHARS = 200;
export const MAX_TASK_COMMENT_CHARS = 4_000;
export const MAX_TASK_DEPENDENCIES = 64;
export const MAX_CAPABILITIES = 32;

/** Default window of get_task_analytics: a week of work. */
export const DEFAULT_ANALYTICS_WINDOW_HOURS = 24 * 7;

/** How often an MCP session with a registered agent retries a lost daemon connection (so its heartbeat resumes after a daemon restart). */
export const DAEMON_RECONNECT_INTERVAL_MS = 2_000;

/**
 * How long `mesh doctor` waits for the daemon's health answer. Health probes the indexes with
 * cheap queries (milliseconds); a daemon that takes this long is stuck, which doctor reports.
 */
export const DOCTOR_HEALTH_TIMEOUT_MS = 10_000;

/**
 * How long after a host first runs signed authorship (its upgrade, or its creation) it still
 * accepts unsigned changes under actors bound to no member: legacy history, and writes of hosts
 * not upgraded yet (a rolling upgrade, a laptop that was offline). Long enough for both; after
 * it an unsigned change is refused unless this host already holds it. `MESH_AUTHORSHIP_LEGACY_DAYS`
 * overrides it (0 closes the window at once, for a mesh that has finished upgrading).
 */
export const AUTHORSHIP_LEGACY_WINDOW_DAYS = 14;

/**
 * Shape bounds of user-supplied metadata. Automerge refuses objects nested past 100 levels (and a
 * document it cannot encode stalls replication), and deep or wide JSON costs every reader; real
 * metadata (tickets, hosts, versions) is a few levels and a few dozen keys.
 */
export const MAX_METADATA_DEPTH = 16;
export const MAX_METADATA_KEYS = 256;
export const MAX_METADATA_KEY_CHARS = 128;
export const MAX_METADATA_ARRAY_ITEMS = 1_024;

/**
 * Nesting bound of any request's parameters, checked before schemas run: no method takes anything
 * deeper than metadata, and schema validators recurse (thousands of levels overflow the stack).
 */
export const MAX_INPUT_DEPTH = 32;

/**
 * Byte budget of one listing reply (search, recent, project, deleted, export page): half a socket
 * frame, leaving room for the envelope and the other fields. Past it, results are cut with a flag.
 */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** Local socket connections at once: many MCP sessions and CLI calls, far fewer than a flood. */
export const MAX_IPC_CONNECTIONS = 64;

/**
 * Bytes buffered across all connections for frames not yet complete: a few maximal frames in
 * flight; a client that pushes past it is disconnected rather than the daemon growing without bound.
 */
export const MAX_IPC_BUFFERED_BYTES = 32 * 1024 * 1024;

/** A frame not complete this long after it began is abandoned: local clients send a frame in milliseconds. */
export const IPC_PARTIAL_FRAME_TIMEOUT_MS = 10_000;

/** Replies queued for a client that does not read them; past this the connection is dropped. */
export const MAX_IPC_WRITE_BACKLOG_BYTES = 32 * 1024 * 1024;

/**
 * Longest MCP request line `mesh mcp` reads: a maximal memory with metadata is well under 1 MiB;
 * a longer line gets an error reply and the session goes on (the SDK would close it at 10 MiB).
 */
export const MAX_MCP_LINE_BYTES = 8 * 1024 * 1024;

/** Characters of content kept in a listing result cut to fit the reply budget: enough to recognise it; retrieve_memory has the rest. */
export const TRUNCATED_CONTENT_CHARS = 1_000;

/**
 * How far another host's clock may run ahead of ours before its time stamps are not believed:
 * NTP keeps hosts within a second; 5 min covers a laptop that woke before syncing its clock. An
 * erasure stamped later than this is held until our clock reaches it (src/sync/heldTombstones.ts),
 * and `mesh status` / `mesh doctor` name the peers whose measured offset exceeds it.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** How often held (future-dated) erasures are checked for having come due: a minute is fine-grained next to the 5 min bound. */
export const HELD_TOMBSTONE_CHECK_MS = 60_000;

/**
 * Memory retention is enforced by the host that soft-deleted the memory (its own clock). When
 * that host has left the mesh, any host erases the memory this much later than retention, so a
 * memory whose deleter is gone is not kept forever, and one host's clock a few days ahead still
 * cannot erase it early.
 */
export const ORPHAN_RETENTION_GRACE_DAYS = 30;

/**
 * A daemon forgets none of its agents until it has run this long: sessions that were connected
 * when it stopped re-bind within seconds of its start (the MCP server retries every 2 s), and a
 * clock that jumped while it was down must not make them look a week gone before they can.
 */
export const AGENT_FORGET_START_GRACE_MS = 10 * 60_000;

/** The reason a retention sweep writes in its tombstones (held erasures of recovered memories are dropped by it). */
export const RETENTION_ERASURE_REASON = 'retention expired';

/**
 * Two incidents sharing an affected system and opened within this window of each other are the
 * same outage seen twice (the partition correlation rule, docs/ARCHITECTURE.md "DevOps records"):
 * six hours covers a night's outage recorded late by a second on-call agent, without joining
 * unrelated failures of the same host days apart.
 */
export const INCIDENT_SAME_OUTAGE_WINDOW_MS = 6 * 3_600_000;
/** Past incidents and runbooks returned by record_incident: enough to act on, small in context. */
export const INCIDENT_MAX_CORRELATIONS = 5;
/** Search candidates examined per collection before the reasons are checked. */
export const INCIDENT_CORRELATION_CANDIDATES = 20;
/** Shared plain words needed before "symptoms" counts as a reason (one common word is noise). */
export const INCIDENT_MIN_SHARED_SYMPTOMS = 2;

/** Config snapshots (issue 13 item 4): a config file fits one memory's content, so one snapshot is one document. */
export const CONFIG_MAX_CHARS = 65_536;
/** Snapshots examined per config type by drift detection and history: 30-host fleets with a long history fit. */
export const CONFIG_SCAN_LIMIT = 2_000;
/** Differing lines shown per system in a drift report: enough to act on, bounded in an agent's context. */
export const CONFIG_DRIFT_MAX_LINES = 20;
/** Differing keys listed per system (and split keys per report): a file that differs everywhere is one finding, not thousands. */
export const CONFIG_DRIFT_MAX_KEYS = 50;
/**
 * A distributed config is applied only this long after its author signed it: a host back from a
 * month offline must not roll a file back to what was pushed before it left.
 */
export const CONFIG_DISTRIBUTION_TTL_MS = 24 * 3_600_000;
/** A dry run's diff reported per host; metadata is bounded (MAX_METADATA_CHARS) and shared by every target. */
export const CONFIG_DISTRIBUTION_DIFF_CHARS = 1_500;
/** Distributions a starting daemon re-examines (one that arrived while it was applying another, or before a crash). */
export const CONFIG_DISTRIBUTION_SCAN = 200;
/** analyze_log_patterns reads a file of at most this size (a log beyond it is tailed by the caller first). */
export const LOG_FILE_MAX_BYTES = 8 * 1024 * 1024;
/** Lines analysed per call: Drain is linear, this keeps one call under a second on this machine. */
export const LOG_MAX_LINES = 100_000;
/**
 * Drain (He et al., ICWS 2017) parameters, the paper's defaults: a line joins a template when at
 * least 40% of its tokens match; the prefix tree is 4 levels deep; a leaf holds at most 100 templates.
 */
export const DRAIN_SIMILARITY = 0.4;
export const DRAIN_DEPTH = 4;
export const DRAIN_MAX_CHILDREN = 100;
/**
 * `mesh ui` (issue #17). The dashboard's default port: a fixed one, so a bookmarked URL keeps
 * working across restarts; when it is taken (another home's dashboard) the next few are tried.
 */
export const UI_DEFAULT_PORT = 7420;
/** Ports tried after UI_DEFAULT_PORT when it is taken (an explicit --port is never moved). */
export const UI_PORT_TRIES = 10;
/** Open live-update streams per dashboard: a few tabs per person; a leaked loop cannot pin the daemon's memory. */
export const UI_MAX_EVENT_CLIENTS = 32;
/** The fleet page's refresh while no document changes: connections come and go without commits. */
export const UI_FLEET_REFRESH_MS = 5_000;
/** SSE comment sent this often so proxies and the browser keep an idle stream open. */
export const UI_EVENT_KEEPALIVE_MS = 20_000;
/** Largest request body the dashboard reads (a move or a comment; comments are capped lower by their schema). */
export const UI_MAX_BODY_BYTES = 16 * 1024;
/** Broadcasts listed on the incidents page: a day's worth for a busy team. */
export const UI_BROADCAST_LIMIT = 50;
/** Look-back of the broadcasts list (hours): a week, so a Monday shows last week's news. */
export const UI_BROADCAST_HOURS = 24 * 7;
/**
 * Erased documents whose erasure seq a CollectionViews remembers (agents, tasks), so a writer that
 * resumes after its document was erased cannot put the view back. A writer resumes right after
 * its own commit; thousands of erasures of one collection in between do not happen, and past
 * this the oldest is forgotten rather than one entry kept per erased document forever.
 */
export const ERASED_VIEW_SEQS_KEPT = 1_000;
/**
 * Keys a DocStore remembers as erased by this process (so a writer in flight across the erasure
 * cannot put the document back). A writer resumes within moments of its load; ten thousand
 * erasures in between do not happen. Older erasures are known as after a restart: by their
 * tombstone on disk, which replication checks.
 */
export const ERASED_HERE_KEPT = 10_000;

/**
 * Start-up work no first answer needs (loading the embedding model, the store's read-verify pass,
 * the retention sweep) waits until the local socket has answered its first request, or this long
 * without one: on a 2-core host it otherwise shares the CPU with the first search an agent makes
 * (issue 11, third session: the model's import alone blocked that search for 200-450 ms).
 */
export const STARTUP_BACKGROUND_DELAY_MS = 250;
