import { describe, expect, it } from 'vitest';
import { RequestLineLimiter, type OversizedLine } from '../../../src/mcp/RequestLineLimiter.js';

async function run(input: Buffer[], max: number): Promise<{ lines: string[]; oversized: OversizedLine[] }> {
  const oversized: OversizedLine[] = [];
  const limiter = new RequestLineLimiter(max, (l) => oversized.push(l));
  const lines: string[] = [];
  limiter.on('data', (b: Buffer) => lines.push(b.toString('utf8')));
  const ended = new Promise((resolve) => limiter.on('end', resolve));
  for (const chunk of input) limiter.write(chunk);
  limiter.end();
  await ended;
  return { lines, oversized };
}

describe('RequestLineLimiter', () => {
  it('passes whole lines, however they are chunked, and drops a line over the limit, naming its id', async () => {
    const big = `{"method":"tools/call","params":{"arguments":{"content":"${'x'.repeat(5_000)}"}},"jsonrpc":"2.0","id":7}\n`;
    const text = `{"jsonrpc":"2.0","id":1,"method":"ping"}\n${big}{"jsonrpc":"2.0","id":2,"method":"ping"}\n`;
    const bytes = Buffer.from(text);
    const chunks = [bytes.subarray(0, 10), bytes.subarray(10, 3_000), bytes.subarray(3_000)];
    const { lines, oversized } = await run(chunks, 1_000);
    expect(lines.join('')).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    expect(oversized).toEqual([{ bytes: Buffer.byteLength(big), id: 7, toolCall: true }]);
  });

  it('finds an id at the start, and gives null when there is none', async () => {
    const a = `{"jsonrpc":"2.0","id":"abc","method":"x","params":"${'y'.repeat(2_000)}"}\n`;
    const b = `{"params":"${'y'.repeat(2_000)}"}\n`;
    const { oversized } = await run([Buffer.from(a + b)], 100);
    expect(oversized.map((o) => o.id)).toEqual(['abc', null]);
    expect(oversized.map((o) => o.toolCall)).toEqual([false, false]);
  });
});
