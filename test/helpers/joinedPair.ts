import { afterAll, beforeAll } from 'vitest';
import { joinMesh, TestHost } from './meshHosts.js';

export interface JoinedPair {
  /** The founder, `alpha`. */
  readonly a: TestHost;
  /** `bravo`, joined to alpha's mesh. */
  readonly b: TestHost;
  /** Every host disposed after the suite: alpha, bravo, and any a test adds. */
  readonly hosts: TestHost[];
}

/**
 * Two daemons on 127.0.0.1, alpha founding the mesh and bravo joined to it, shared by every test
 * of the enclosing describe (started in a beforeAll, disposed with any added host in an afterAll).
 */
export function useJoinedPair(): JoinedPair {
  const hosts: TestHost[] = [];
  let a: TestHost | undefined;
  let b: TestHost | undefined;
  beforeAll(async () => {
    a = await TestHost.create('alpha');
    b = await TestHost.create('bravo');
    hosts.push(a, b);
    await a.start();
    await joinMesh(a, b);
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });
  const started = (host: TestHost | undefined): TestHost => {
    if (!host) throw new Error('useJoinedPair: the hosts exist only inside the suite');
    return host;
  };
  return {
    get a() {
      return started(a);
    },
    get b() {
      return started(b);
    },
    hosts,
  };
}
