import { z } from 'zod';
import { DIGEST_LEAVES, DIGEST_MAX_LEAVES_PER_ROUND, DIGEST_TOPS } from './constants.js';

/**
 * Sync protocol messages (msgpack on a length-prefixed libp2p stream). Every decoded message is
 * validated here before anything acts on it; a message that fails is a protocol error that
 * closes the stream.
 */
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const Collection = z.enum(['memories', 'agents', 'tasks', 'vaults', 'teams', 'mesh']);
const DocIdSchema = z.string().min(1).max(128);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Heads = z.array(Hash).max(256);

export const TombstoneSchema = z.object({
  erasedAt: z.number(),
  machine: z.string().max(200),
  agent: z.string().max(200),
  reason: z.string().max(500).optional(),
  by: z.string().max(128).optional(),
  sig: z.string().max(256).optional(),
});

/** `mine`: the requester's own feed epoch; entries that came from it, exactly as it sent them, are left out. */
export const FeedRequest = z.object({
  t: z.literal('feed'),
  since: z.number().int().min(0),
  epoch: z.string().max(64).nullable(),
  limit: z.number().int().min(1).max(5_000),
  mine: z.string().max(64).optional(),
});
export const GetRequest = z.object({ t: z.literal('get'), docs: z.array(z.object({ c: Collection, id: DocIdSchema, heads: Heads })).max(1_000) });
/** Signature records of the changes sent (src/authorship/signatureRecords.ts); absent from peers older than signed authorship. */
const Sigs = Bytes.refine((b) => b.byteLength <= 4 * 1024 * 1024, 'signature records too large');
export const PushDoc = z.object({ c: Collection, id: DocIdSchema, heads: Heads, changes: z.array(Bytes).max(10_000).optional(), tomb: TombstoneSchema.optional(), sigs: Sigs.optional() });
export const PushRequest = z.object({ t: z.literal('push'), docs: z.array(PushDoc).max(1_000) });
/**
 * Heads digest exchanges (see HeadsDigest.ts), on SYNC_DIGEST_PROTOCOL. `team`: the requester
 * shares a team with the server, so team documents are compared too (the server checks it).
 */
export const DigestRequest = z.object({ t: z.literal('digest'), team: z.boolean() });
export const LeavesRequest = z.object({ t: z.literal('leaves'), team: z.boolean(), tops: z.array(z.number().int().min(0).max(DIGEST_TOPS - 1)).max(DIGEST_TOPS) });
export const EntriesRequest = z.object({ t: z.literal('entries'), team: z.boolean(), leaves: z.array(z.number().int().min(0).max(DIGEST_LEAVES - 1)).max(DIGEST_MAX_LEAVES_PER_ROUND) });
export const SyncRequest = z.discriminatedUnion('t', [FeedRequest, GetRequest, PushRequest, DigestRequest, LeavesRequest, EntriesRequest]);
export type SyncRequest = z.infer<typeof SyncRequest>;

export const FeedEntrySchema = z.object({ seq: z.number().int(), c: Collection, id: DocIdSchema, heads: Heads.nullable(), tomb: TombstoneSchema.optional() });
export const FeedResponse = z.object({ t: z.literal('feed'), epoch: z.string().max(64), entries: z.array(FeedEntrySchema).max(5_000), last: z.number().int().min(0), more: z.boolean() });
export const DigestResponse = z.object({ t: z.literal('digest'), epoch: z.string().max(64), tops: Bytes });
export const LeavesResponse = z.object({ t: z.literal('leaves'), sums: Bytes });
/** The documents of the asked leaves the requester may have, as feed entries (seq 0: not a feed position). */
export const EntriesResponse = z.object({ t: z.literal('entries'), epoch: z.string().max(64), entries: z.array(FeedEntrySchema).max(DIGEST_MAX_LEAVES_PER_ROUND * 1_000) });
export const DocPayload = z.object({
  c: Collection,
  id: DocIdSchema,
  heads: Heads,
  changes: z.array(Bytes).max(10_000).optional(),
  full: Bytes.optional(),
  view: z.unknown().optional(),
  tomb: TombstoneSchema.optional(),
  missing: z.boolean().optional(),
  /**
   * Sent with `missing`: the server has the document but could not send it (it does not encode,
   * it is damaged). Additive: an earlier version reads the answer as `missing` and moves on.
   */
  unsendable: z.string().max(500).optional(),
  sigs: Sigs.optional(),
});
export type DocPayload = z.infer<typeof DocPayload>;
export const DocsResponse = z.object({ t: z.literal('docs'), docs: z.array(DocPayload).max(1_000) });
export const AckResponse = z.object({ t: z.literal('ack') });
export const ErrorResponse = z.object({ t: z.literal('error'), code: z.string().max(64), message: z.string().max(1_000) });

export const JoinRequest = z.object({
  t: z.literal('join'),
  secret: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1).max(200),
  addrs: z.array(z.string().max(300)).max(32),
  teams: z.array(z.string().max(100)).max(64),
});
export const JoinResponse = z.discriminatedUnion('t', [z.object({ t: z.literal('joined'), mesh: z.string().max(64) }), ErrorResponse]);
