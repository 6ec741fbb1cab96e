import { networkInterfaces } from 'node:os';

/** Tailscale hands out addresses in 100.64.0.0/10 (CGNAT space). */
export function isTailscaleIPv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 100 && b !== undefined && b >= 64 && b <= 127;
}

/** This host's Tailscale IPv4 from its network interfaces, if it has one. */
export function tailscaleInterfaceIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && isTailscaleIPv4(a.address)) return a.address;
  }
  return undefined;
}

/** The default listen address: the tailnet when there is one, else loopback; never every interface. */
export function defaultListen(port: number, tailnetIPv4: string | undefined): string[] {
  return [`/ip4/${tailnetIPv4 ?? '127.0.0.1'}/tcp/${port}`];
}
