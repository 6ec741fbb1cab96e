import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadConfig } from '../../config/MeshConfig.js';
import { readIdentity } from '../../identity/HostIdentity.js';
import { result, type CheckResult, type DoctorContext } from './DoctorCheck.js';

const require = createRequire(import.meta.url);

export function nodeVersion(): CheckResult[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return [result('node', major > 20 || (major === 20 && minor >= 19) ? 'ok' : 'fail', `v${process.versions.node} (needs >= 20.19)`)];
}

/** The home, the identity and config.json: present, readable, owner-only. */
export async function homeFiles(ctx: DoctorContext): Promise<CheckResult[]> {
  const { home, paths } = ctx;
  const homeStat = await stat(home).catch(() => undefined);
  if (!homeStat) return [result('home', 'warn', `${home} does not exist yet; run \`mesh init\` or start the daemon`)];
  const out: CheckResult[] = [];
  const mode = homeStat.mode & 0o777;
  out.push(result('home', mode & 0o077 ? 'fail' : 'ok', `${home} mode ${mode.toString(8)}${mode & 0o077 ? ' (others can read it: chmod 700)' : ''}`));
  const id = await readIdentity(paths.identity).catch((err: Error) => err);
  if (id instanceof Error) out.push(result('identity', 'fail', id.message));
  else if (!id) out.push(result('identity', 'warn', 'no identity yet; run `mesh init`'));
  else {
    const idMode = (await stat(paths.identity)).mode & 0o777;
    out.push(result('identity', idMode & 0o077 ? 'fail' : 'ok', `${id.name} (${id.hostId}) mode ${idMode.toString(8)}`));
  }
  try {
    await loadConfig(paths.config);
    out.push(result('config', 'ok', (await access(paths.config).then(() => true, () => false)) ? paths.config : 'embedded defaults (no config.json)'));
  } catch (err) {
    out.push(result('config', 'fail', (err as Error).message));
  }
  return out;
}

/**
 * The native addons load in this Node, and better-sqlite3 can do what the keyword index needs
 * (an FTS5 table): a Node upgrade without a rebuild fails here, not at the daemon's next start.
 */
export function nativeAddons(): CheckResult[] {
  const out: CheckResult[] = [];
  for (const addon of ['classic-level', 'hnswlib-node', 'better-sqlite3']) {
    try {
      const loaded: unknown = require(addon);
      if (addon === 'better-sqlite3') probeSqlite(loaded as new (path: string) => SqliteProbe);
      out.push(result(`addon ${addon}`, 'ok', 'loads'));
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
      // Without hnswlib-node search is keyword-only; without the others the daemon cannot start.
      out.push(result(`addon ${addon}`, missing && addon === 'hnswlib-node' ? 'warn' : 'fail', missing ? 'not installed' : ((err as Error).message.split('\n')[0] ?? 'failed to load')));
    }
  }
  return out;
}

interface SqliteProbe {
  exec(sql: string): unknown;
  close(): unknown;
}

function probeSqlite(Database: new (path: string) => SqliteProbe): void {
  const db = new Database(':memory:');
  try {
    db.exec("CREATE VIRTUAL TABLE probe USING fts5(t, tokenize = 'porter unicode61'); INSERT INTO probe (t) VALUES ('doctor')");
  } finally {
    db.close();
  }
}

export async function automerge(): Promise<CheckResult[]> {
  try {
    await import('@automerge/automerge');
    return [result('automerge', 'ok', 'wasm loads')];
  } catch (err) {
    return [result('automerge', 'fail', (err as Error).message)];
  }
}
