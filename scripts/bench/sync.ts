/**
 * Sync benchmark on real daemons over loopback, side by side with automerge-repo 2.5.6:
 * 1. live replication A→B: a store (and an update) on A until B can read it; p50/p95 over
 *    `--live` writes, `--runs` runs; automerge-repo: a change on the server until the client
 *    handle emits 'change';
 * 2. initial sync of N memories (`--sizes`) to an empty peer, timed from B's process start until
 *    B's catalog holds all N and a keyword search for the last-written memory's ticket answers;
 *    automerge-repo: a fresh client Repo `find`s all N document ids (passed out of band);
 * 3. reconnect after 1,000 changes (500 stores + 500 updates, interleaved) on the largest store,
 *    `--reconnect-runs` times each, two ways:
 *    - restart: B stopped while A changes; time from B's process start until B has every change,
 *      and the TCP payload bytes both ways, counted by byte-counting relays (`syncProxy.ts`)
 *      standing on the ports each host knows the other by (both hosts restart on new ports, so
 *      every A–B connection crosses a relay), against the Automerge bytes of those changes
 *      computed on A afterwards;
 *    - link (the laptop that wakes up): both daemons keep running, reachable only through relays
 *      (`--announce`); the relays are cut while A changes, then restored; time from restoring the
 *      link until B has every change.
 *
 *   npm run build && node --import tsx scripts/bench/sync.ts [--sizes 10000,100000] [--runs 3]
 *     [--live 200] [--am-max 100000] [--am-timeout 600] [--reconnect-runs 3]
 *     [--skip live,initial,reconnect,link,am,vectors] [--profile DIR]
 *
 * Source homes (pre-populated with corpus.ts memories and a caught-up vector index) are cached in
 * `.bench/sync-src-N-signed` (written under the source host's key, so the receiver verifies signed changes)
 * and copied for every run, so runs never change them.
 */
import '../../src/polyfills.js';
import { machine } from './stats.js';
import { amRepo } from './sync/am.js';
import { initialSyncs } from './sync/initial.js';
import { liveReplication } from './sync/live.js';
import { AM_MAX, deferred, load, log, SIZES, SKIP } from './sync/setup.js';

// The phases live in scripts/bench/sync/ (setup.ts, live.ts, initial.ts, reconnect.ts, link.ts, am.ts); this file runs them in order.
console.log(`# sync — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${machine()}\n`);
console.log(`Load average at start (1/5/15 min): ${load()}. Daemons run from dist/ on 127.0.0.1 (TCP + Noise + Yamux in the pnet).\n`);

if (!SKIP.has('live')) await liveReplication();
await initialSyncs();
for (const line of deferred) console.log(line);

if (!SKIP.has('am')) {
  for (const [k, n] of SIZES.entries()) {
    if (n > AM_MAX) {
      console.log(`automerge-repo at ${n} skipped (--am-max ${AM_MAX}).\n`);
      continue;
    }
    log(`automerge-repo ${n}`);
    await amRepo(n, k === 0);
  }
}
console.log(`Load average at end (1/5/15 min): ${load()}.`);
process.exit(0);
