import { z } from 'zod';
import type { SerializedError } from '../errors.js';

/** Who is calling: the MCP client's name (until agents register) and a session id. */
export const CallContextSchema = z.object({
  agent: z.string().min(1).max(200),
  session: z.string().max(200).optional(),
  /** The roster id this session registered as (register_agent); binds the session's liveness to it. */
  agent_id: z.string().max(128).optional(),
});
export type CallContext = z.infer<typeof CallContextSchema>;

export const RequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(100),
  params: z.unknown(),
  ctx: CallContextSchema,
});
export type Request = z.infer<typeof RequestSchema>;

/** The id of a response that answers no request: the daemon refused the whole connection (clients number requests from 1). */
export const CONNECTION_ERROR_ID = 0;

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: SerializedError };
