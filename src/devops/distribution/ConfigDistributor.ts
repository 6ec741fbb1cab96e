import { diff as diffLibrary } from '../lazyLibraries.js';
import { z } from 'zod';
import { CONFIG_DISTRIBUTION_DIFF_CHARS, CONFIG_DISTRIBUTION_SCAN } from '../../constants.js';
import type { Memory } from '../../domain/Memory.js';
import type { MemoryService } from '../../domain/MemoryService.js';
import { readJsonFile, writeJsonFileAtomic } from '../../jsonFile.js';
import type { Logger } from '../../log.js';
import { redactSecrets } from '../../secrets/index.js';
import type { Actor } from '../../types.js';
import type { Signer } from '../../trust/signing.js';
import { currentText, writeWithBackup } from './atomicApply.js';
import { DISTRIBUTION_CATEGORY, DISTRIBUTION_TAG, isDistribution, outcomeKey, payloadOf } from './distributionDoc.js';
import { type DistributionPayload, Outcome, type OutcomeStatus, sha256Hex, signOutcome, verifyOutcome, verifyPayload } from './distributionPayload.js';
import { type AllowEntry, checkTargetPath, isTargeted, runsCommands } from './targetPolicy.js';

/** What a host knows of the mesh's members, to verify an author (from the replicator). */
export interface MeshTrust {
  signer: Signer;
  isMember(peer: string): boolean;
  nameOf(peer: string): string | undefined;
}

export interface ConfigDistributorDeps {
  memories: MemoryService;
  onCommit: (listener: (e: { collection: string; id: string; view?: unknown }) => void) => () => void;
  host: string;
  allow: readonly AllowEntry[];
  trust: () => MeshTrust | undefined;
  /** Host-local record of the distributions this host has taken up (never replicated). */
  seenFile: string;
  logger: Logger;
  home?: string;
}

const Seen = z.record(z.string(), z.number());
const ACTOR_AGENT = 'config-distribution';

/**
 * The target side of config distribution (docs/ARCHITECTURE.md "Config distribution"). Every
 * distribution document this host holds or receives is examined once: a host not named by its
 * targets ignores it; a named host verifies the author's signature (a current member, the content
 * unchanged since signing, not expired), checks its own allow list, then writes the file (or, for a
 * dry run, computes the diff) and reports a signed outcome into the document under
 * `outcome:<host>`. Nothing is ever executed.
 */
export class ConfigDistributor {
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  private seen: Record<string, number> = {};
  private stopped = false;

  constructor(private readonly deps: ConfigDistributorDeps) {}

  async start(): Promise<void> {
    this.seen = (await readJsonFile(this.deps.seenFile, Seen, 'delete it to re-examine distributions').catch(() => undefined)) ?? {};
    this.unsubscribe = this.deps.onCommit((e) => {
      if (e.collection !== 'memories') return;
      const view = e.view as { category?: unknown; metadata?: Record<string, unknown>; deleted?: unknown } | undefined;
      if (view && view.category === DISTRIBUTION_CATEGORY && view.metadata?.kind === 'config_distribution') this.enqueue(e.id);
    });
    // Those that arrived while this host was down or busy.
    const held = await this.deps.memories.listLive({ category: DISTRIBUTION_CATEGORY, tags: [DISTRIBUTION_TAG] }, CONFIG_DISTRIBUTION_SCAN);
    for (const m of held) this.enqueue(m.id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.chain;
  }

  /** Resolves when every queued document has been examined (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(id: string): void {
    if (this.queued.has(id) || this.stopped) return;
    this.queued.add(id);
    this.chain = this.chain.then(async () => {
      this.queued.delete(id);
      if (this.stopped) return;
      try {
        await this.examine(id);
      } catch (err) {
        this.deps.logger.warn({ id, err: (err as Error).message }, 'could not examine a config distribution');
      }
    });
  }

  private async examine(id: string): Promise<void> {
    const m = await this.deps.memories.retrieve(id).catch(() => undefined);
    if (!m || !isDistribution(m)) return;
    const signed = payloadOf(m);
    if (!signed) return;
    const { payload } = signed;
    if (!isTargeted(payload.targets, this.deps.host)) return;
    const trust = this.deps.trust();
    // Without replication nothing can be verified: leave it for a start that has membership.
    if (!trust) return;
    // Only this host's own signed report counts as done: another member writing `outcome:<this
    // host>` first must not stop the file from being applied (it is overwritten by the real one).
    if (await this.reportedByMe(m.metadata[outcomeKey(this.deps.host)], payload, trust)) return;
    if (this.seen[payload.nonce] !== undefined) {
      // Taken up before but never reported (the daemon stopped mid-way): say so rather than apply twice.
      await this.report(m, payload, trust, 'failed', 'interrupted before its outcome was recorded; send it again', null, null);
      return;
    }
    await this.markSeen(payload);
    const decision = await this.decide(m, payload, signed.signature, trust);
    await this.report(m, payload, trust, decision.status, decision.reason, decision.backup ?? null, decision.diff ?? null);
    this.deps.logger.info({ id, status: decision.status, path: payload.path }, 'config distribution examined');
  }

  private async decide(m: Memory, payload: DistributionPayload, signature: string, trust: MeshTrust): Promise<{ status: OutcomeStatus; reason: string; backup?: string | null; diff?: string | null }> {
    const refused = (reason: string) => ({ status: 'refused' as const, reason });
    if (!(await verifyPayload(payload, signature))) return refused("the author's signature does not verify");
    if (!trust.isMember(payload.author)) return refused('its author is not a member of this mesh');
    if (sha256Hex(m.content) !== payload.sha256) return refused('the content was changed after its author signed it');
    if (Date.now() > Date.parse(payload.expires_at)) return refused(`it expired at ${payload.expires_at}`);
    const check = await checkTargetPath(payload.path, this.deps.allow, this.deps.home);
    if (!check.ok) return refused(check.reason);
    const author = trust.nameOf(payload.author) ?? payload.author;
    if (check.entry.from && !check.entry.from.includes(author)) return refused(`${author} is not among the members this host accepts for ${check.real}`);
    const command = payload.flavour === 'ssh' && !check.entry.commands ? runsCommands(m.content) : undefined;
    if (command) return refused(`it contains ${command}, which runs a command; this host's allow entry does not accept commands`);
    if (payload.dry_run) {
      const before = (await currentText(check.real)) ?? '';
      const patch = diffLibrary().createTwoFilesPatch(check.real, check.real, before, m.content, 'current', 'distributed');
      const { text } = await redactSecrets(patch);
      const diff = text.length > CONFIG_DISTRIBUTION_DIFF_CHARS ? `${text.slice(0, CONFIG_DISTRIBUTION_DIFF_CHARS)}\n[... ${text.length - CONFIG_DISTRIBUTION_DIFF_CHARS} more characters]` : text;
      return { status: 'would_apply', reason: before === m.content ? `${check.real} already has this content` : `would write ${check.real}`, diff };
    }
    try {
      const { backup } = await writeWithBackup(check.real, m.content);
      return { status: 'applied', reason: `wrote ${check.real}`, backup };
    } catch (err) {
      return { status: 'failed', reason: `could not write ${check.real}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }

  private async reportedByMe(value: unknown, payload: DistributionPayload, trust: MeshTrust): Promise<boolean> {
    const parsed = Outcome.safeParse(value);
    return parsed.success && parsed.data.peer === trust.signer.peerId && parsed.data.nonce === payload.nonce && (await verifyOutcome(parsed.data));
  }

  private async markSeen(payload: DistributionPayload): Promise<void> {
    // Entries older than their expiry can go: an expired payload is refused anyway.
    const now = Date.now();
    for (const [nonce, expires] of Object.entries(this.seen)) if (expires < now) delete this.seen[nonce];
    this.seen[payload.nonce] = Date.parse(payload.expires_at) || now;
    await writeJsonFileAtomic(this.deps.seenFile, this.seen);
  }

  private async report(m: Memory, payload: DistributionPayload, trust: MeshTrust, status: OutcomeStatus, reason: string, backup: string | null, diff: string | null): Promise<void> {
    const actor: Actor = { machine: this.deps.host, agent: ACTOR_AGENT };
    const outcome = await signOutcome(trust.signer, { nonce: payload.nonce, host: this.deps.host, peer: trust.signer.peerId, status, reason: reason.slice(0, 1_000), at: new Date().toISOString(), backup, diff });
    try {
      // A signed outcome: its signature is random by design, not a credential.
      await this.deps.memories.update({ memory_id: m.id, metadata: { [outcomeKey(this.deps.host)]: outcome }, allow_secret: true }, actor);
    } catch (err) {
      if (diff === null) throw err;
      // Many targets' diffs can outgrow the document's metadata bound: report without the diff.
      const { signature: _unused, ...unsigned } = outcome;
      const short = await signOutcome(trust.signer, { ...unsigned, diff: null, reason: `${reason} (diff too large to report)`.slice(0, 1_000) });
      await this.deps.memories.update({ memory_id: m.id, metadata: { [outcomeKey(this.deps.host)]: short }, allow_secret: true }, actor);
    }
  }
}
