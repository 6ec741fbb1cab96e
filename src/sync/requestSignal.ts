/**
 * A signal for one request: aborted when `parent` (the engine's stop) aborts, or after
 * `timeoutMs`. `done()` detaches it from the parent and clears its timer; call it once the
 * request has ended.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 every signal that makes
 * stays in the parent's set of dependants for as long as the parent lives (a WeakRef each, never
 * pruned), and the engine's stop signal lives as long as the daemon, so each sync request made
 * or served left a little behind for weeks. Here the parent holds one listener per request in
 * flight, and nothing once it has ended.
 */
export function requestSignal(parent: AbortSignal, timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  // The reason AbortSignal.timeout gives, so callers can still tell a timeout by its name.
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  timer.unref();
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
