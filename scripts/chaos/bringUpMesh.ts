import type { ChaosHost } from './chaosHost.js';

/** The founder starts; every other host joins through it (only admins invite) and starts. */
export async function bringUpMesh(hosts: ChaosHost[]): Promise<void> {
  await hosts[0]!.start();
  for (const joiner of hosts.slice(1)) {
    const invite = await hosts[0]!.cli(['invite', '--json']);
    if (invite.code !== 0) throw new Error(`invite: ${invite.stderr}`);
    const { token } = JSON.parse(invite.stdout) as { token: string };
    const j = await joiner.cli(['join', token]);
    if (j.code !== 0) throw new Error(`${joiner.name} join: ${j.stderr}`);
    await joiner.start();
  }
  await waitAllConnected(hosts, 120_000 + hosts.length * 5_000);
}

export async function waitAllConnected(hosts: ChaosHost[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await Promise.all(hosts.map(async (h) => (await h.call<{ peers: { connected: boolean; removed: boolean }[] }>('mesh.peers', {})).peers.filter((p) => p.connected && !p.removed).length));
    if (seen.every((n) => n === hosts.length)) return;
    if (Date.now() > deadline) throw new Error(`mesh not formed: connected members per host ${seen.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
