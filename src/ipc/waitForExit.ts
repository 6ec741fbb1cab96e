import { MeshError } from '../errors.js';

/** Resolves once process `pid` is gone (polling the kernel: there is no exit event for a non-child). */
export async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new MeshError('TIMEOUT', `process ${pid} still running after ${timeoutMs} ms`);
}
