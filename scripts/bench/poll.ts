/** Polls `check` every `intervalMs` until it holds; throws after `timeoutMs`. Benchmarks time replication with it. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error('timed out');
}
