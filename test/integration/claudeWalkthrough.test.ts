import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MESH_BIN, mesh, shellLine } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

const README = join(import.meta.dirname, '..', '..', 'README.md');
const TOKEN_PLACEHOLDER = 'PASTE-THE-TOKEN-HERE';

/** The README's Claude Code walk-through: each sh block between `claude-walkthrough: HOST` markers, in order. */
function blocks(): { host: string; lines: string[] }[] {
  const text = readFileSync(README, 'utf8');
  const out = [...text.matchAll(/<!-- claude-walkthrough: (\w+) -->\s*```sh\n([\s\S]*?)```\s*<!-- \/claude-walkthrough -->/g)].map((m) => ({
    host: m[1]!,
    lines: m[2]!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')),
  }));
  if (out.length === 0) throw new Error('README.md has no <!-- claude-walkthrough: HOST --> sh blocks');
  return out;
}

/**
 * Two hosts are two user homes on this machine (HOME differs, so each has its own ~/.hivemesh and
 * ~/.claude). Done for the reader: `npm ci && npm link` (mesh is put on PATH), pasting the token
 * `mesh invite` printed, and `claude` itself (the hook line after it shows what the session gets).
 * systemctl is the machine's, outside hivemesh: a stand-in answers as systemctl without a user
 * bus does, so `mesh service install` writes its unit and the next command starts the daemon.
 */
describe('Claude Code walk-through (README): two hosts, one memory, a new session that knows it', () => {
  const root = tmpHome('mh-ccwalk-');
  const homes = { laptop: join(root.dir, 'laptop'), buildbox: join(root.dir, 'buildbox') };
  afterAll(async () => {
    for (const home of Object.values(homes)) if (existsSync(join(home, '.hivemesh', 'daemon.sock'))) await mesh(['stop', '--home', join(home, '.hivemesh')]);
    root.cleanup();
  });

  it('every command runs as written, and the briefing of a session in ~/src/webshop holds the memory stored on the other host', { timeout: 180_000 }, async () => {
    const bin = join(root.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mesh'), `#!/bin/sh\nexec "${process.execPath}" "${MESH_BIN}" "$@"\n`);
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n`);
    for (const f of ['mesh', 'systemctl']) chmodSync(join(bin, f), 0o755);
    const envOf = (host: keyof typeof homes): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: homes[host], PATH: `${bin}:${process.env['PATH'] ?? ''}`, MESH_NO_DISCOVERY: '1', MESH_LOG: 'warn' };
      for (const k of ['MESH_HOME', 'MESH_P2P_LISTEN', 'CLAUDE_CONFIG_DIR']) delete env[k];
      return env;
    };
    const cwd = { laptop: homes.laptop, buildbox: homes.buildbox };
    for (const home of Object.values(homes)) mkdirSync(home);

    let token: string | undefined;
    let stored: string | undefined;
    let briefing: string | undefined;
    let search: string | undefined;
    for (const block of blocks()) {
      for (const raw of block.lines) {
        if (block.host === 'both') {
          expect(raw).toMatch(/^npm /); // install steps: done by the test's PATH
          continue;
        }
        const host = block.host as keyof typeof homes;
        expect(Object.keys(homes)).toContain(host);
        const session = /^cd (\S+) && claude(?:\s+#.*)?$/.exec(raw);
        if (session) {
          // The session's directory, a git checkout; `claude` itself is not run.
          const dir = session[1]!.replace(/^~/, homes[host]);
          mkdirSync(join(dir, '.git'), { recursive: true });
          cwd[host] = dir;
          continue;
        }
        let line = raw;
        if (line.includes(TOKEN_PLACEHOLDER)) {
          expect(token, 'a token was printed before it is pasted').toBeDefined();
          line = line.replace(TOKEN_PLACEHOLDER, token!);
        }
        const r = await shellLine(line, envOf(host), cwd[host]);
        expect(r.code, `${host}: ${line}\n${r.stderr}`).toBe(0);
        if (/^mesh invite\b/.test(line)) token = r.stdout.trim();
        stored ??= /^mesh store "([^"]+)"/.exec(line)?.[1];
        if (/^mesh search\b/.test(line)) search = r.stdout;
        if (/mesh hook session-start/.test(line)) briefing = r.stdout;
      }
    }
    expect(stored, 'the walk-through stores a memory').toBeDefined();
    expect(search).toContain(stored!);
    expect(existsSync(join(homes.laptop, '.claude', 'settings.json'))).toBe(true);
    expect(briefing, 'the walk-through shows the briefing').toBeDefined();
    expect(briefing).toContain('hivemesh briefing: host laptop, project webshop');
    expect(briefing).toContain(stored!);
    // The README's sample output is this output, ids and dates aside.
    const sample = /It prints \(ids and dates differ\):\s*```text\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
    const generic = (t: string) => t.replace(/\d{4}-\d{2}-\d{2}/g, 'DATE').replace(/\b[0-9a-f]{8}\]/g, 'ID]').trim();
    expect(generic(briefing!)).toBe(generic(sample ?? ''));
  });
});
