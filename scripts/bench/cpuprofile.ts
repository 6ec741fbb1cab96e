/**
 * Summarises V8 `.cpuprofile` files (from `node --cpu-prof`): self time by function and by
 * package/module, and inclusive time of the functions matching `--focus` (regexp on name or file).
 *
 *   node --import tsx scripts/bench/cpuprofile.ts FILE.cpuprofile [--top 30] [--focus 'applyRemote|serveGet']
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, focus: { type: 'string' } } });
const TOP = Number(values.top);

function where(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const s = /\/(src|dist\/src)\/(.+)$/.exec(url);
  if (s) return `src/${s[2]}`;
  return url ? url.replace(/^.*\//, '') : '(native/vm)';
}

for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnSelf = new Map<string, number>();
  const modSelf = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anon)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms);
    const mod = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName;
    modSelf.set(mod, (modSelf.get(mod) ?? 0) + ms);
  }
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, ms]) => a + ms, 0);
  console.log(`\n## ${file}\nwall ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1000).toFixed(1)} s, idle ${(idle / 1000).toFixed(1)} s, busy ${((total - idle) / 1000).toFixed(1)} s\n`);
  const show = (title: string, m: Map<string, number>) => {
    console.log(`| ${title} | self s | % of busy |\n|---|---|---|`);
    for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`| ${k} | ${(ms / 1000).toFixed(2)} | ${((100 * ms) / (total - idle)).toFixed(1)} |`);
    console.log('');
  };
  show('module', modSelf);
  show('function', fnSelf);
  if (values.focus) {
    // Inclusive time: a sample counts for a function if it is anywhere on the sample's stack.
    const re = new RegExp(values.focus);
    const incl = new Map<string, number>();
    for (const [id, ms] of self) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const n = byId.get(cur)!;
        const key = `${n.callFrame.functionName || '(anon)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
        if (!seen.has(key) && (re.test(n.callFrame.functionName) || re.test(n.callFrame.url))) {
          seen.add(key);
          incl.set(key, (incl.get(key) ?? 0) + ms);
        }
      }
    }
    show(`inclusive (${values.focus})`, incl);
  }
}
