/**
 * Transcript import throughput (issue 14): a synthetic Claude Code transcript in the real line
 * format (prompts, assistant text and tool_use, tool results, some errors, system and snapshot
 * lines), grown to --mb megabytes, imported through the daemon; then imported again (nothing new).
 *
 *   npm run build && node --import tsx scripts/bench/transcript-import.ts [--mb 5] [--runs 3]
 */
import '../../src/polyfills.js';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { importTranscripts, type UpsertCall } from '../../src/transcripts/importTranscript.js';
import { TestHost } from '../../test/helpers/meshHosts.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } } });
const BYTES = Number(values.mb) * 1024 * 1024;
const RUNS = Number(values.runs);

function transcript(sessionId: string): { text: string; lines: number } {
  const rand = mulberry32(7);
  const out: string[] = [];
  let parent: string | null = null;
  let size = 0;
  let i = 0;
  const push = (o: Record<string, unknown>) => {
    const line = JSON.stringify(o);
    out.push(line);
    size += line.length + 1;
  };
  const base = (type: string) => {
    const uuid = randomUUID();
    const b = { parentUuid: parent, isSidechain: false, userType: 'external', cwd: '/home/dev/payments', sessionId, version: '2.1.197', gitBranch: 'main', type, uuid, timestamp: new Date(Date.UTC(2026, 11, 5, 9) + i * 1000).toISOString() };
    parent = uuid;
    return b;
  };
  while (size < BYTES) {
    const m = syntheticMemory(rand, i++);
    push({ ...base('user'), message: { role: 'user', content: `Look into this: ${m.content}` } });
    const id = `toolu_${i}`;
    push({ ...base('assistant'), message: { role: 'assistant', content: [{ type: 'text', text: 'Checking the logs.' }, { type: 'tool_use', id, name: 'Bash', input: { command: `ssh ${m.tags[0]}1 journalctl -u app -n 200` } }] } });
    const failed = rand() < 0.1;
    push({ ...base('user'), message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: `${'log line with details and a request id 7f3c9a2e\n'.repeat(40)}${failed ? 'Error: exit status 1' : ''}`, is_error: failed }] } });
    push({ ...base('assistant'), message: { role: 'assistant', content: [{ type: 'text', text: `Fixed: the root cause was ${m.content} I changed the setting and restarted the service.` }] } });
    if (rand() < 0.2) push({ type: 'system', subtype: 'informational', content: 'note', uuid: randomUUID(), timestamp: new Date().toISOString() });
  }
  return { text: `${out.join('\n')}\n`, lines: out.length };
}

const host = await TestHost.create('bench-transcript');
try {
  writeFileSync(join(host.home.dir, 'config.json'), JSON.stringify({ embedding: { enabled: false } }));
  await host.start();
  const client = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: 'bench' });
  const rows: (string | number)[][] = [];
  const first: number[] = [];
  const again: number[] = [];
  let lines = 0;
  let mb = 0;
  for (let run = 0; run < RUNS; run++) {
    const { text, lines: n } = transcript(randomUUID());
    lines = n;
    mb = text.length / 1024 / 1024;
    const file = join(host.home.dir, `t${run}.jsonl`);
    writeFileSync(file, text);
    const upsert: UpsertCall = (memories) => client.call('conversation.upsert', { memories });
    let t = performance.now();
    const r = await importTranscripts(file, upsert);
    first.push(performance.now() - t);
    t = performance.now();
    const r2 = await importTranscripts(file, upsert);
    again.push(performance.now() - t);
    rows.push([run + 1, n, (first[run]! / 1000).toFixed(2), Math.round(n / (first[run]! / 1000)), r.created, r2.created, r.secrets_redacted]);
  }
  client.close();
  console.log(`${machine()}; ${mb.toFixed(1)} MB transcript, ${lines} lines`);
  table(['run', 'lines', 'import s', 'lines/s', 'memories created', 'created on re-import', 'secrets'], rows);
  console.log(`median: first import ${(median(first) / 1000).toFixed(2)} s (${Math.round(lines / (median(first) / 1000))} lines/s, ${(mb / (median(first) / 1000)).toFixed(2)} MB/s); re-import ${(median(again) / 1000).toFixed(2)} s`);
} finally {
  await host.dispose();
}
