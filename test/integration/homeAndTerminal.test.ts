import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESH_BIN, TEST_ENV, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

/** Every entry under `root` whose mode lets group or others in, as "path mode". */
function openEntries(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) continue;
      if ((st.mode & 0o077) !== 0) found.push(`${path.slice(root.length)} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk(root);
  return found;
}

/** Runs `mesh ARGS` with stdout on a pseudo-terminal (util-linux `script`), as a person would. */
function meshOnTty(args: string[]): Promise<string> {
  const command = [process.execPath, MESH_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...TEST_ENV } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** Issue #10 item 6: an owner-only home, and stored control characters never reach a terminal raw. */
describe('home permissions and terminal output', () => {
  const home = tmpHome();
  const hostile = 'deploy note \u001b[2J\u001b]0;pwned\u0007 then \rfake prompt$ \u009b31m zqttyescape';
  let id: string;

  beforeAll(async () => {
    await mesh(['init', '--home', home.dir, '--name', 'tty-host']);
    const r = await mesh(['store', hostile, '--json', '--home', home.dir]);
    expect(r.code, r.stderr).toBe(0);
    id = (JSON.parse(r.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('keeps everything in the home owner-only, including what LevelDB and SQLite create, and repairs an older home', async () => {
    expect(openEntries(home.dir)).toEqual([]);
    // A home from before: db/ readable by all. The next daemon start takes that back.
    expect((await mesh(['stop', '--home', home.dir])).code).toBe(0);
    chmodSync(join(home.dir, 'db'), 0o755);
    for (const f of readdirSync(join(home.dir, 'db'))) chmodSync(join(home.dir, 'db', f), 0o644);
    expect(openEntries(home.dir).length).toBeGreaterThan(1);
    expect((await mesh(['store', 'after restart', '--home', home.dir])).code).toBe(0);
    expect(openEntries(home.dir)).toEqual([]);
  });

  it('escapes control characters when mesh get and mesh search print to a terminal', async () => {
    for (const args of [
      ['get', id, '--home', home.dir],
      ['search', 'zqttyescape', '--mode', 'keyword', '--home', home.dir],
    ]) {
      const out = await meshOnTty(args);
      expect(out, args[0]).toContain('zqttyescape');
      for (const raw of ['\u001b', '\u0007', '\u009b']) expect(out, args[0]).not.toContain(raw);
      expect(out, args[0]).toContain('\\x1b[2J');
      expect(out, args[0]).toContain('\\x0dfake prompt');
    }
    // Not a terminal (a pipe, --json): the content comes back exactly as stored.
    const r = await mesh(['get', id, '--json', '--home', home.dir]);
    expect((JSON.parse(r.stdout) as { content: string }).content).toBe(hostile);
  });
});
