import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { InvalidInputError } from '../errors.js';

/**
 * A secret value for `mesh vault set`: from stdin when it is piped (one trailing newline
 * dropped), else from a prompt on the terminal that echoes nothing. Never from argv, where
 * every user on the host can read it (ps, /proc/<pid>/cmdline) and shells keep it in history.
 */
export async function readSecretValue(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!text) throw new InvalidInputError('no value on stdin: pipe the secret in (printf %s "$VALUE" | mesh vault set …) or run on a terminal to be prompted');
    return text;
  }
  // Nothing typed reaches the terminal: the prompt goes to stderr, the echo to nowhere.
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    const value = await new Promise<string>((resolve) => rl.question('', resolve));
    process.stderr.write('\n');
    if (!value) throw new InvalidInputError('no value given');
    return value;
  } finally {
    rl.close();
  }
}
