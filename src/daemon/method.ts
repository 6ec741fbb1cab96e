import type { z } from 'zod';
import type { CallContext } from '../ipc/messages.js';
import type { Actor } from '../types.js';

/**
 * One daemon method: the zod schema its params must pass, and the handler. The handler's result
 * type is kept (not widened to unknown) so the method map (methodMap.ts) can give every caller
 * the exact params and result of each method name.
 */
export interface Method<S extends z.ZodType = z.ZodType, R = unknown> {
  schema: S;
  // Method syntax on purpose: its parameter is checked bivariantly, so a table of differently typed methods is one MethodTable.
  handler(params: z.output<S>, actor: Actor, ctx: CallContext): R | Promise<R>;
}

/** A table of methods by name, as each `buildXxxApi()` returns it. */
export type MethodTable = Record<string, Method>;

export function method<S extends z.ZodType, R>(schema: S, handler: (params: z.output<S>, actor: Actor, ctx: CallContext) => R | Promise<R>): Method<S, Awaited<R>> {
  return { schema, handler } as Method<S, Awaited<R>>;
}

/** Checks a table's shape while keeping each method's own types (a `Record` annotation would erase them). */
export function methods<T extends MethodTable>(table: T): T {
  return table;
}
