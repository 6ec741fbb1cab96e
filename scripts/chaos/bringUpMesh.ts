import type { ChaosHost } from './chaosHost.js';

/** Joiners started at once: enough to bring 30 hosts up in minutes, few enough not to starve a loaded machine. */
const JOIN_CONCURRENCY = 4;

/**
 * The founder starts; every other host joins through it (only admins invite) with its own
 * single-use invite, a few joiners at a time, then every host must count every other connected.
 * Returns each joiner's (now used) invite token by host name (the intruders bench replays one).
 */
export async function bringUpMesh(hosts: ChaosHost[], formTimeoutMs = 120_000 + hosts.length * 5_000): Promise<Map<string, string>> {
  const founder = hosts[0]!;
  await founder.start();
  const queue = hosts.slice(1);
  const tokens = new Map<string, string>();
  const worker = async () => {
    for (let joiner = queue.shift(); joiner; joiner = queue.shift()) {
      const { token } = await founder.call('mesh.invite', {});
      tokens.set(joiner.name, token);
      const j = await joiner.cli(['join', token]);
      if (j.code !== 0) throw new Error(`${joiner.name} join: ${j.stderr}`);
      await joiner.start();
    }
  };
  await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
  await waitAllConnected(hosts, formTimeoutMs);
  return tokens;
}

export async function waitAllConnected(hosts: ChaosHost[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await Promise.all(hosts.map(async (h) => (await h.call('mesh.peers', {})).peers.filter((p) => p.connected && !p.removed).length));
    if (seen.every((n) => n === hosts.length)) return;
    if (Date.now() > deadline) {
      // The hosts furthest behind, with their logs' tails: a run that fails here is not cheap to repeat.
      const worst = Math.min(...seen);
      const tails = hosts.filter((_, i) => seen[i] === worst).slice(0, 2).map((h) => `--- ${h.name}'s log, last lines:\n${h.log.slice(-4000)}`);
      throw new Error(`mesh not formed: connected members per host ${seen.join(', ')}\n${tails.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
