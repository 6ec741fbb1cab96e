/**
 * Vault crypto costs (issue #12), pure tweetnacl with no daemon: revoke-and-rotate of a vault of
 * N secrets and M members (new generation key, every value opened and re-sealed, wraps for the
 * M-1 remaining members), and the bytes those sealed values and one generation's wraps take as
 * JSON (what the vault document would carry before Automerge's own overhead).
 * Usage: node --import tsx scripts/bench/vault-rotate.ts [secrets=1000] [members=30] [runs=5]
 */
import { newBoxKeyPair } from '../../src/vault/boxKeys.js';
import { newGeneration, rotate, sealValue, type SealedValue } from '../../src/vault/generations.js';

const secrets = Number(process.argv[2] ?? 1000);
const memberCount = Number(process.argv[3] ?? 30);
const runs = Number(process.argv[4] ?? 5);

const members = new Map<string, Uint8Array>();
for (let i = 0; i < memberCount; i += 1) members.set(`member-${i}`, newBoxKeyPair().publicKey);
const { generation, key } = newGeneration(1, members);
const values = new Map<string, SealedValue>();
for (let i = 0; i < secrets; i += 1) {
  // A typical secret: a 40-character API token.
  values.set(`secret-${i}`, sealValue(1, key, new TextEncoder().encode(`tok_${i.toString().padStart(36, '0')}`)));
}
const remaining = new Map([...members].slice(1));

const times: number[] = [];
for (let r = 0; r < runs; r += 1) {
  const t0 = process.hrtime.bigint();
  rotate(key, generation, values, remaining);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const valueBytes = JSON.stringify(Object.fromEntries(values)).length;
const wrapBytes = JSON.stringify(generation).length;
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| revoke-and-rotate, ${secrets} secrets × ${memberCount} members, median of ${runs} | ${times[Math.floor(runs / 2)]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)}) |`);
console.log(`| sealed values as JSON, ${secrets} secrets | ${valueBytes} bytes (${(valueBytes / secrets).toFixed(0)} per secret) |`);
console.log(`| one generation's wraps as JSON, ${memberCount} members | ${wrapBytes} bytes |`);
