/**
 * The links between chaos hosts: where each host listens, how its daemon is started, and the link
 * faults the runner can inject. Two implementations: network namespaces with one veth link per
 * pair of hosts (root), and plain loopback processes (anyone, no link faults).
 */
export interface ChaosNetwork {
  /** `netns` or `loopback`, printed with every run. */
  readonly kind: 'netns' | 'loopback';
  /** Whether cut / cutOneWay / degrade do anything (loopback: no). */
  readonly linkFaults: boolean;
  /** The multiaddr host `i` listens on (and announces). */
  listenAddress(i: number, port: number): string;
  /** The command prefix that runs a process as host `i` (e.g. `ip netns exec NS`). */
  spawnPrefix(i: number): string[];
  setup(hosts: number): Promise<void>;
  /** Both directions of the a–b link go down (carrier lost on both ends); both hosts keep running. */
  cut(a: number, b: number): Promise<void>;
  /** Packets from `from` to `to` are discarded; the other direction still flows. */
  cutOneWay(from: number, to: number): Promise<void>;
  /** A slow, lossy a–b link (netem delay and loss where the kernel has it, else a tiny token bucket). */
  degrade(a: number, b: number): Promise<void>;
  /** The a–b link back to normal, whatever was done to it. */
  heal(a: number, b: number): Promise<void>;
  /** Removes everything setup created. Safe to call twice. */
  teardown(): Promise<void>;
}
