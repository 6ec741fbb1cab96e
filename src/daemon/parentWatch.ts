import { PARENT_CHECK_INTERVAL_MS } from '../constants.js';

/**
 * Calls `onOrphaned` once when this process is re-parented, i.e. whatever started it in the
 * foreground (npm, a shell script, a terminal multiplexer pane) has exited without passing the
 * signal on. Returns a function that stops watching.
 */
export function watchParent(onOrphaned: () => void, intervalMs = PARENT_CHECK_INTERVAL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
