/**
 * The automerge-repo 2.5.6 side of `sync.ts`, run as a child process (its own core, like a
 * daemon): a server Repo with its own NodeFSStorageAdapter and a WebSocketServerAdapter on a `ws`
 * server. Driven over the IPC channel:
 * - `{ t: 'populate', n, dir, port }`: creates n memory documents (one per memory, the same
 *   synthetic memories as the hivemesh run) in a Repo on `dir`, flushes and shuts it down, then
 *   opens a fresh serving Repo on the same directory (documents load from disk on request, as a
 *   restarted daemon would) and answers `{ t: 'ready', ids, populateMs, diskBytes }`.
 * - `{ t: 'change', id, text }`: changes one document's content (live latency, measured by the client).
 * - `{ t: 'exit' }`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Repo, type AnyDocumentId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { mulberry32, syntheticMemory } from './corpus.js';
import { dirBytes } from './stats.js';

/** `ws` ships no types here (no @types/ws); only its server constructor is needed. */
interface WsServer {
  close(cb?: () => void): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (opts: { host: string; port: number }) => WsServer };

type Msg = { t: 'populate'; n: number; dir: string; port: number } | { t: 'change'; id: string; text: string } | { t: 'exit' };

export interface MemoryDoc {
  v: number;
  id: string;
  content: string;
  category: string;
  tags: string[];
  context: string;
  project: string;
  scope: string;
  metadata: Record<string, string>;
  machine: string;
  agent: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
  deleted: boolean;
  deleted_at: number | null;
  deleted_reason: string | null;
}

let serving: { repo: Repo; wss: WsServer } | undefined;

async function populate(n: number, dir: string, port: number): Promise<void> {
  const t0 = performance.now();
  const rand = mulberry32(5);
  const ids: string[] = [];
  const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] });
  for (let j = 0; j < n; j++) {
    const m = syntheticMemory(rand, j);
    const now = Date.now();
    const handle = repo.create<MemoryDoc>({ v: 1, id: '', ...m, context: '', scope: 'mesh', metadata: {}, machine: 'bench-host', agent: 'bench', created_at: now, updated_at: now, updated_by: 'bench', deleted: false, deleted_at: null, deleted_reason: null });
    handle.change((d) => (d.id = handle.documentId));
    ids.push(handle.documentId);
    if (j % 1000 === 999) await repo.flush();
    if (j % 10_000 === 9_999) process.stderr.write(`automerge-repo: created ${j + 1}/${n} (${Math.round(performance.now() - t0)} ms)\n`);
  }
  await repo.flush();
  await repo.shutdown();
  const populateMs = performance.now() - t0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  const server = new Repo({
    storage: new NodeFSStorageAdapter(dir),
    network: [new WebSocketServerAdapter(wss)],
    // A sync server: answers requests, does not announce every document to every client.
    shareConfig: { announce: () => Promise.resolve(false), access: () => Promise.resolve(true) },
  });
  serving = { repo: server, wss };
  // Every document must be on disk before a client asks for it.
  const missing = ids.filter((id) => !existsSync(join(dir, id.slice(0, 2), id.slice(2)))).length;
  process.send!({ t: 'ready', ids, populateMs, diskBytes: dirBytes(dir), missing });
}

async function change(id: string, text: string): Promise<void> {
  const handle = await serving!.repo.find<MemoryDoc>(id as AnyDocumentId);
  handle.change((d) => {
    d.content = text;
    d.updated_at = Date.now();
  });
}

process.on('message', (msg: Msg) => {
  const run = async () => {
    if (msg.t === 'populate') await populate(msg.n, msg.dir, msg.port);
    else if (msg.t === 'change') await change(msg.id, msg.text);
    else {
      await serving?.repo.shutdown();
      serving?.wss.close();
      process.exit(0);
    }
  };
  run().catch((err: unknown) => {
    process.stderr.write(`automerge-repo peer: ${(err as Error).stack}\n`);
    process.exit(1);
  });
});
