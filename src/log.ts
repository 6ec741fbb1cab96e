import { mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { prettyStream } from './logPretty.js';

export type Logger = pino.Logger;

/** How the daemon's stderr log reads: `pretty` lines (default on a terminal) or `json` lines. The file in the home is always JSON. */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * One logger per process, writing JSON lines to stderr and to a file in the home.
 * Nothing logs to stdout: for `mesh mcp` stdout belongs to the protocol.
 * Callers never pass secrets, vault values or whole documents.
 */
export function createLogger(opts: { logDir?: string; file?: string; level?: string; stderr?: boolean; format?: LogFormat }): Logger {
  const level = process.env['MESH_LOG'] ?? opts.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (opts.stderr !== false) {
    // A person at a terminal reads lines; a pipe, a service manager or --log-format json gets JSON.
    const pretty = (opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json')) === 'pretty';
    const stream = pretty ? prettyStream((text) => writeSync(2, text)) : pino.destination({ fd: 2, sync: true });
    streams.push({ level: level as pino.Level, stream });
  }
  if (opts.logDir && opts.file) {
    mkdirSync(opts.logDir, { recursive: true, mode: 0o700 });
    streams.push({ level: level as pino.Level, stream: pino.destination({ dest: join(opts.logDir, opts.file), sync: false, mkdir: true, mode: 0o600 }) });
  }
  return pino({ level, base: { pid: process.pid }, redact: { paths: ['content', '*.content', 'secret', '*.secret'], censor: '[redacted]' } }, pino.multistream(streams));
}

/** A silent logger for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
