import { execFile } from 'node:child_process';
import { z } from 'zod';

/** The parts of `tailscale status --json` we read; the real document has many more fields. */
const TailscalePeer = z.looseObject({
  HostName: z.string().optional(),
  DNSName: z.string().optional(),
  TailscaleIPs: z.array(z.string()).nullish(),
  Online: z.boolean().optional(),
});
const TailscaleStatus = z.looseObject({
  BackendState: z.string().optional(),
  Self: TailscalePeer.optional(),
  Peer: z.record(z.string(), TailscalePeer).nullish(),
});

export interface TailnetPeer {
  hostName: string;
  dnsName: string;
  ipv4: string;
  online: boolean;
}

export interface TailnetStatus {
  selfIPv4: string | undefined;
  peers: TailnetPeer[];
}

const TAILSCALE_TIMEOUT_MS = 5_000;

function firstIPv4(ips: readonly string[] | null | undefined): string | undefined {
  return ips?.find((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}

/** Parses the JSON printed by `tailscale status --json`. */
export function parseTailscaleStatus(json: string): TailnetStatus {
  const status = TailscaleStatus.parse(JSON.parse(json));
  const peers: TailnetPeer[] = [];
  for (const peer of Object.values(status.Peer ?? {})) {
    const ipv4 = firstIPv4(peer.TailscaleIPs);
    if (!ipv4) continue;
    peers.push({ hostName: peer.HostName ?? '', dnsName: (peer.DNSName ?? '').replace(/\.$/, ''), ipv4, online: peer.Online ?? false });
  }
  return { selfIPv4: firstIPv4(status.Self?.TailscaleIPs), peers };
}

/** Runs the local `tailscale` CLI; undefined when it is not installed or not logged in. */
export function tailscaleStatus(binary = 'tailscale'): Promise<TailnetStatus | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['status', '--json'], { timeout: TAILSCALE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        resolve(parseTailscaleStatus(stdout));
      } catch {
        resolve(undefined);
      }
    });
  });
}
