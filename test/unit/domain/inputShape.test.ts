import { describe, expect, it } from 'vitest';
import { describeShapeProblem, findShapeProblem } from '../../../src/domain/inputShape.js';
import { metadataProblem, StoreMemoryInput } from '../../../src/domain/memorySchemas.js';

describe('input shape bounds', () => {
  it('measures depth without recursion, even a million levels deep', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}1${']'.repeat(1_000_000)}`) as unknown;
    const problem = findShapeProblem({ metadata: deep }, { depth: 32 });
    expect(problem?.message).toBe('is nested deeper than 32 levels');
    expect(describeShapeProblem(problem!)).toMatch(/^metadata\.0\.0\.0\.0\.….0: is nested deeper than 32 levels$/);
    expect(findShapeProblem({ a: { b: [1, { c: 2 }] } }, { depth: 4 })).toBeUndefined();
    expect(findShapeProblem({ a: { b: [1, { c: 2 }] } }, { depth: 3 })?.path).toEqual(['a', 'b', 1]);
  });

  it('refuses lone surrogates in values and keys, and "__proto__" keys, and accepts pairs', () => {
    expect(findShapeProblem({ t: 'ok 🐝' }, { depth: 4 })).toBeUndefined();
    expect(findShapeProblem({ t: ['x', 'bad \ud800'] }, { depth: 4 })?.path).toEqual(['t', 1]);
    expect(findShapeProblem({ ['k\udc00']: 1 }, { depth: 4 })?.message).toMatch(/lone surrogate/);
    expect(findShapeProblem(JSON.parse('{"a":{"__proto__":{"x":1}}}'), { depth: 4 })?.message).toMatch(/__proto__/);
  });

  it('bounds keys, key length and array items', () => {
    expect(findShapeProblem({ a: { b: 1, c: 2 } }, { depth: 4, keys: 2 })?.message).toMatch(/more than 2 keys/);
    expect(findShapeProblem({ abcd: 1 }, { depth: 4, keyChars: 3 })?.message).toMatch(/key of 4 characters/);
    expect(findShapeProblem({ a: [1, 2, 3] }, { depth: 4, arrayItems: 2 })?.message).toMatch(/has 3 items/);
  });

  it('the store schema refuses deep metadata with a named field and no stack overflow', () => {
    let v: unknown = 1;
    for (let i = 0; i < 5_000; i++) v = { a: v };
    const r = StoreMemoryInput.safeParse({ content: 'x', metadata: { n: v } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.slice(0, 2)).toEqual(['metadata', 'n']);
    expect(metadataProblem({ a: 'x'.repeat(20_000) })?.message).toMatch(/at most 16384 characters/);
  });
});
