/**
 * Cost the secret refusal adds to a memory write (issue 12): `refuseLikelySecrets` over the text
 * fields of a write, for memory sizes people write (a note, a runbook, the 64 KB limit).
 * Usage: node --import tsx scripts/bench/secret-refusal.ts [runs]
 */
import '../../src/polyfills.js';
import { refuseLikelySecrets } from '../../src/secrets/secretRefusal.js';

const runs = Number(process.argv[2] ?? 50);
const SENTENCE = 'Restarted nginx on proxy-eu1 after the upstream keepalive change; see runbook rb-42 and commit 3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345. ';

function text(chars: number): string {
  return SENTENCE.repeat(Math.ceil(chars / SENTENCE.length)).slice(0, chars);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  await refuseLikelySecrets({ content: 'warm up' });
  const rows: string[] = ['| content chars | runs | p50 ms | p90 ms |', '|---|---|---|---|'];
  for (const chars of [200, 2_000, 65_536]) {
    const content = text(chars);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await refuseLikelySecrets({ content, context: 'from the on-call notes', tags: 'nginx prod' });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    rows.push(`| ${chars} | ${runs} | ${median(times).toFixed(2)} | ${times[Math.floor(times.length * 0.9)]!.toFixed(2)} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

void main();
