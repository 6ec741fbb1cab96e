/**
 * Limits of the DevOps records of issue 13 (runbooks, playbooks, infrastructure state, health
 * records, projects), each with its reason. Kept beside the code that uses them rather than in
 * src/constants.ts, which every helper appends to.
 */
/** Host, system and type names go into tags (`host:db-2`), which are at most MAX_TAG_CHARS (64) long. */
export const DEVOPS_NAME_CHARS = 56;
/** Records a listing reads at most: a host's history or a project's runbooks, never the whole store. */
export const DEVOPS_LIST_SCAN = 500;
/** A runbook untouched this long is "stale" in project_health_check: systems change faster than that. */
export const RUNBOOK_STALE_DAYS = 90;
/** Infrastructure state kept in metadata: a snapshot of services or versions, not a metrics stream. */
export const MAX_INFRA_STATE_CHARS = 8_000;
/** Changes reported in one change list; older ones are reached with `since`. */
export const MAX_INFRA_CHANGES = 200;
/** Open health issues of this host in the session-start briefing: the next run needs them first. */
export const BRIEFING_MAX_HEALTH_ISSUES = 5;
/** Runbooks record_incident suggests, beside its past incidents: the one that fixes it should not be crowded out. */
export const RUNBOOK_SUGGESTIONS = 3;
/** Health issues and actions of this host the briefing reads: the newest ones, within its time budget. */
export const BRIEFING_HEALTH_SCAN = 50;
/** A runbook's fields are kept in metadata too (at most MAX_METADATA_CHARS, 16k): this leaves room for the rest. */
export const RUNBOOK_MAX_CHARS = 12_000;
/** What a playbook check found, kept in metadata: enough to recognise it, within the metadata bound. */
export const PLAYBOOK_SUMMARY_ITEMS = 60;
export const PLAYBOOK_SUMMARY_ITEM_CHARS = 120;
/** Config types project_health_check checks for drift: one detect_config_drift call each, so a health check stays a few calls. */
export const PROJECT_DRIFT_TYPES = 10;
/**
 * Bracket nesting a Terraform playbook may reach before the HCL parser sees it: the parser recurses
 * in WebAssembly on Node's stack, which overflows between 1,000 and 2,000 levels; real files stay
 * under ~20.
 */
export const HCL_MAX_NESTING = 200;
/** A parse waits at most this long for the parser's WASM to start (~0.8 s cold, ~2 s on a loaded machine). */
export const HCL_PARSE_TIMEOUT_MS = 20_000;
