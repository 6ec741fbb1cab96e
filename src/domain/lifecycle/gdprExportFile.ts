import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { DaemonCaller } from '../../daemon/methodMap.js';
import type { GdprSubject } from './gdpr.js';


/**
 * Writes everything a subject wrote as one JSON document, page by page, so a large set never
 * sits in memory or in one socket frame (the daemon is called through `gdpr.exportPage` and `gdpr.tasks`). The file is created new (never overwritten), mode 0600.
 */
export async function writeGdprExport(daemon: DaemonCaller, subject: GdprSubject, path: string, now = new Date()): Promise<{ path: string; memories: number; tasks: number }> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await once(out, 'open');
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let memories = 0;
  try {
    await write(`{"format":"hivemesh-gdpr-export","version":1,"exported_at":${JSON.stringify(now.toISOString())},"subject":${JSON.stringify(subject)},"memories":[`);
    let after: string | undefined;
    do {
      const page = await daemon.call('gdpr.exportPage', { subject, ...(after ? { after } : {}) });
      for (const m of page.memories) await write(`${memories++ ? ',' : ''}\n${JSON.stringify(m)}`);
      after = page.next ?? undefined;
    } while (after);
    const { tasks } = await daemon.call('gdpr.tasks', { subject });
    await write(`\n],"tasks":${JSON.stringify(tasks)}}\n`);
    out.end();
    await finished(out);
    return { path, memories, tasks: tasks.length };
  } catch (err) {
    out.destroy();
    throw err;
  }
}
