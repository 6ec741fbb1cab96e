import type { ChaosNetwork } from './network.js';

/**
 * Every host a process on 127.0.0.1 (no root needed). There is no per-pair link to cut on one
 * loopback interface, so link steps are skipped (and counted as skipped in the run's summary);
 * partitions come from stops, SIGKILLs and restarts only.
 */
export class LoopbackNetwork implements ChaosNetwork {
  readonly kind = 'loopback';
  readonly linkFaults = false;

  listenAddress(_i: number, port: number): string {
    return `/ip4/127.0.0.1/tcp/${port}`;
  }

  spawnPrefix(): string[] {
    return [];
  }

  async setup(): Promise<void> {}
  async cut(): Promise<void> {}
  async cutOneWay(): Promise<void> {}
  async degrade(): Promise<void> {}
  async heal(): Promise<void> {}
  async teardown(): Promise<void> {}
}
