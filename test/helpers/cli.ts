import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
export { waitForExit } from '../../src/ipc/waitForExit.js';

/** The built CLI, exactly what `bin.mesh` points at. Tests run after `npm run build` (pretest). */
export const MESH_BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'mesh.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Test daemons listen on an ephemeral loopback port and skip tailnet/mDNS discovery. */
export const TEST_ENV = { MESH_LOG: 'warn', MESH_P2P_LISTEN: '/ip4/127.0.0.1/tcp/0', MESH_NO_DISCOVERY: '1' };

/** Runs `mesh ARGS` to completion (asynchronously, so daemons can answer meanwhile). */
export function mesh(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return collect(spawn(process.execPath, [MESH_BIN, ...args], { env: { ...process.env, ...TEST_ENV, ...env } }));
}

/** Runs one shell line (a README line, as a person would) to completion. */
export function shellLine(line: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return collect(spawn('sh', ['-c', line], { env, ...(cwd ? { cwd } : {}) }));
}

/** A child's exit code and whole output. */
function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a multi-byte character split across two chunks must not become two U+FFFD.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function meshSync(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [MESH_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...TEST_ENV } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** An MCP SDK client talking to a spawned `mesh mcp` over stdio: the way Claude Code does. */
export async function mcpClient(home: string, name = 'test-agent', env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MESH_BIN, 'mcp', '--home', home],
    env: { ...(process.env as Record<string, string>), ...TEST_ENV, ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** structuredContent of a successful call; throws with the tool's text otherwise. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await callTool(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as T;
}

export function errorText(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function daemonPid(home: string): number {
  return Number(readFileSync(join(home, 'daemon.pid'), 'utf8').trim());
}
