import type { TestHost } from './meshHosts.js';

/**
 * One random partition event of a property test: a stopped host comes back, or a running one is
 * stopped or SIGKILLed (never the last one running). A stopped host misses every write made
 * meanwhile, so writes on different hosts become concurrent. Returns the line for the test's log.
 */
export async function partitionStep(hosts: readonly TestHost[], running: Set<TestHost>, rand: () => number): Promise<string | undefined> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const up = [...running];
  const down = hosts.filter((h) => !running.has(h));
  if (down.length && (rand() < 0.5 || up.length === 1)) {
    const back = pick(down);
    await back.start();
    running.add(back);
    return `restart ${back.name}`;
  }
  if (up.length <= 1) return undefined;
  const victim = pick(up);
  const hard = rand() < 0.5;
  if (hard) await victim.kill();
  else await victim.stop();
  running.delete(victim);
  return `${victim.name} ${hard ? 'SIGKILLed' : 'stopped'}`;
}
