import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_AGENT_FORGET_DAYS, DEFAULT_HEARTBEAT_SECONDS, DEFAULT_IDLE_AFTER_SECONDS, DEFAULT_OFFLINE_AFTER_SECONDS, DEFAULT_RETENTION_DAYS } from '../constants.js';
import { CapabilityGroupSchema } from './capabilityGroups.js';
import { SynonymGroupSchema } from './searchSynonyms.js';
import { MeshError } from '../errors.js';
import { MODES } from '../teams/modes.js';

/** The optional `config.json` in the home. Every field has an embedded default, so no file is needed. */
export const MeshConfigSchema = z
  .object({
    categories: z
      .object({
        /** Extra categories accepted besides the built-in ones. */
        custom: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/)).default([]),
      })
      .strict()
      .default({ custom: [] }),
    /** Days a soft-deleted memory stays recoverable before it is erased. */
    retentionDays: z.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
    /** libp2p listen multiaddrs; default: this host's Tailscale IPv4 (else 127.0.0.1) on port 7411. Never 0.0.0.0 unless listed here. */
    listen: z.array(z.string().min(1)).default([]),
    /**
     * Multiaddrs other hosts should dial instead of the listen addresses (a port forward, a relay,
     * a name): recorded in the membership document and sent by identify. Empty: the listen addresses.
     */
    announce: z.array(z.string().min(1)).default([]),
    /** Multiaddrs of peers to dial besides the members' recorded addresses. */
    peers: z.array(z.string().min(1)).default([]),
    /** Member manifests (files, or folders of *.json) for teams that keep membership in git; see peers/README.md. */
    manifests: z.array(z.string().min(1)).default([]),
    /** Teams this host belongs to: memories with scope "team" go only to hosts sharing one. */
    teams: z.array(z.string().min(1).max(100)).default([]),
    discovery: z
      .object({
        /** Dial the hosts listed by `tailscale status --json` when the tailscale CLI exists. */
        tailscale: z.boolean().default(true),
        /** The port other hosts' daemons listen on, for tailnet discovery. */
        port: z.number().int().min(1).max(65535).default(7411),
        /** Multicast DNS discovery on the LAN. */
        mdns: z.boolean().default(false),
      })
      .strict()
      .default({ tailscale: true, port: 7411, mdns: false }),
    embedding: z
      .object({
        /** false: keyword search only (no model loaded). */
        enabled: z.boolean().default(true),
        /**
         * The model: omit for the bundled offline model. `{ id, path }` loads any standard
         * transformers.js model folder; `{ id, allowRemote: true }` downloads it once from the hub
         * into the home's models/ folder (online hosts only). Changing it rebuilds the vector index.
         */
        model: z
          .object({
            id: z.string().min(1).max(200),
            path: z.string().min(1).optional(),
            allowRemote: z.boolean().optional(),
            dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ enabled: true }),
    search: z
      .object({
        /** Hybrid search also looks for the thesaurus' equivalents of the query's terms. */
        expansion: z.boolean().default(true),
        /** Groups of equivalent terms added to config/search-synonyms.json (team jargon, host nicknames). */
        synonyms: z.array(SynonymGroupSchema).max(10_000).default([]),
        /** true: use only `synonyms`, not the bundled thesaurus. */
        replaceDefaults: z.boolean().default(false),
      })
      .strict()
      .default({ expansion: true, synonyms: [], replaceDefaults: false }),
    roster: z
      .object({
        /** Heartbeat cadence of connected agent sessions, in seconds. */
        heartbeatSeconds: z.number().min(0.2).max(3600).default(DEFAULT_HEARTBEAT_SECONDS),
        /** Heartbeat age after which an agent reads as offline on every host. */
        offlineAfterSeconds: z.number().min(0.5).max(86_400).default(DEFAULT_OFFLINE_AFTER_SECONDS),
        /** Time without a call after which a live agent reads as idle. */
        idleAfterSeconds: z.number().min(1).max(86_400).default(DEFAULT_IDLE_AFTER_SECONDS),
        /** Agents offline for longer than this are forgotten (erased from the roster on every host). */
        forgetAfterDays: z.number().min(0.001).max(3650).default(DEFAULT_AGENT_FORGET_DAYS),
        /** Replaces the default capability groups of config/capability-groups.json. */
        capabilityGroups: z.array(CapabilityGroupSchema).max(256).optional(),
      })
      .strict()
      .refine((r) => r.offlineAfterSeconds > r.heartbeatSeconds, 'roster.offlineAfterSeconds must be longer than roster.heartbeatSeconds')
      .default({
        heartbeatSeconds: DEFAULT_HEARTBEAT_SECONDS,
        offlineAfterSeconds: DEFAULT_OFFLINE_AFTER_SECONDS,
        idleAfterSeconds: DEFAULT_IDLE_AFTER_SECONDS,
        forgetAfterDays: DEFAULT_AGENT_FORGET_DAYS,
      }),
    /**
     * Config distribution (issue 13 item 5): the files other members may write on this host.
     * Nothing by default; each entry allows paths matching a glob, optionally only from some members.
     */
    distribution: z
      .object({
        allow: z
          .array(
            z
              .object({
                path: z.string().min(1).max(1_000).describe('Absolute path or glob (~ is this user\'s home), e.g. ~/.ssh/config'),
                from: z.array(z.string().min(1).max(200)).max(100).optional().describe('Member names whose distributions are accepted (default: any member)'),
                commands: z.boolean().default(false).describe('Accept ssh directives that run commands (ProxyCommand, LocalCommand, Match exec, ...)'),
              })
              .strict(),
          )
          .max(100)
          .default([]),
      })
      .strict()
      .default({ allow: [] }),
    /** The operating mode a new MCP session starts in (teams/modes.ts); `set_mode` changes it for the session. */
    mode: z
      .object({
        default: z.enum(MODES).default('mesh'),
        /** Team mode's team (default: the host's only team it writes in). */
        team: z.string().min(1).max(100).optional(),
        /** Vault mode's vault context. */
        vault: z.string().min(1).max(100).optional(),
      })
      .strict()
      .default({ default: 'mesh' }),
    /** Claude Code integration: the session-end / pre-compact hooks also import Claude's own auto-memory files (opt-in). */
    claude: z
      .object({ importMemory: z.boolean().default(false).describe('Import ~/.claude/projects/<project>/memory/*.md on session end and before compaction') })
      .strict()
      .default({ importMemory: false }),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type MeshConfig = z.infer<typeof MeshConfigSchema>;

export function defaultConfig(): MeshConfig {
  return MeshConfigSchema.parse({});
}

/** Reads `config.json` if present; a malformed file is an error naming the field, never silently ignored. */
export async function loadConfig(path: string): Promise<MeshConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MeshError('HOME_INVALID', `config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = MeshConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MeshError('HOME_INVALID', `config ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
