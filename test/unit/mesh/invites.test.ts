import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { decodeToken, encodeToken, Invites } from '../../../src/mesh/invites.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const none = () => false;

describe('invites', () => {
  let home: ReturnType<typeof tmpHome>;
  let store: DocStore;
  beforeEach(async () => {
    home = tmpHome();
    store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    home.cleanup();
  });

  it('are single use: the same peer may retry, anyone else is refused; they expire', async () => {
    const invites = new Invites(store);
    await invites.start();
    const now = Date.now();
    const { secret } = await invites.create(60_000, now);
    expect(invites.hasOutstanding(now)).toBe(true);
    await invites.consume(secret, 'peer-a', none, now);
    expect(invites.hasOutstanding(now)).toBe(false);
    await expect(invites.consume(secret, 'peer-a', none, now)).resolves.toBeUndefined();
    await expect(invites.consume(secret, 'peer-b', none, now)).rejects.toMatchObject({ message: 'this invite was already used' });
    const late = await invites.create(1_000, now);
    await expect(invites.consume(late.secret, 'peer-c', none, now + 2_000)).rejects.toMatchObject({ message: 'this invite has expired' });
    await expect(invites.consume('ab'.repeat(32), 'peer-d', none, now)).rejects.toMatchObject({ message: 'unknown invite' });
  });

  it('refuse a removed peer its own used invite, and an expired one, checked at every use (#10 item 1)', async () => {
    const invites = new Invites(store);
    await invites.start();
    const now = Date.now();
    const { secret } = await invites.create(60_000, now);
    await invites.consume(secret, 'peer-a', none, now);
    const removed = (p: string) => p === 'peer-a';
    await expect(invites.consume(secret, 'peer-a', removed, now)).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    // A used invite past its expiry is refused even to the peer that used it.
    await expect(invites.consume(secret, 'peer-a', none, now + 61_000)).rejects.toMatchObject({ message: 'this invite has expired' });
    // A fresh, unused invite does not let a removed peer back in either.
    const fresh = await invites.create(60_000, now);
    await expect(invites.consume(fresh.secret, 'peer-a', removed, now)).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
    expect(invites.hasOutstanding(now)).toBe(true);
  });

  it('admit exactly one of two joiners racing with the same token', async () => {
    const invites = new Invites(store);
    await invites.start();
    const { secret } = await invites.create(60_000);
    const outcomes = await Promise.allSettled([invites.consume(secret, 'peer-a', none), invites.consume(secret, 'peer-b', none), invites.consume(secret, 'peer-c', none)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'INVALID_INPUT', message: 'this invite was already used' });
    // The winner may still retry (its reply was lost); the others stay out.
    const winner = ['peer-a', 'peer-b', 'peer-c'][outcomes.findIndex((o) => o.status === 'fulfilled')]!;
    await expect(invites.consume(secret, winner, none)).resolves.toBeUndefined();
  });

  it('survive a restart of the store (the used mark is durable)', async () => {
    const invites = new Invites(store);
    await invites.start();
    const { secret } = await invites.create(60_000);
    await invites.consume(secret, 'peer-a', none);
    await store.close();
    store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
    const again = new Invites(store);
    await again.start();
    await expect(again.consume(secret, 'peer-b', none)).rejects.toMatchObject({ message: 'this invite was already used' });
  });

  it('tokens round-trip, and damaged ones are refused with a reason', () => {
    const token = { v: 1 as const, mesh: 'm', psk: '/key/swarm/psk/1.0.0/\n/base16/\nabcd', inviter: '12D3KooWx', addrs: ['/ip4/127.0.0.1/tcp/1'], secret: 'cd'.repeat(32), exp: 1 };
    expect(decodeToken(encodeToken(token))).toEqual(token);
    expect(() => decodeToken('nonsense')).toThrow(/hm1\./);
    expect(() => decodeToken(encodeToken(token).slice(0, 40))).toThrow(/damaged/);
    // Whitespace from a terminal paste is forgiven; a well-formed token with a bad field is not.
    expect(decodeToken(`  ${encodeToken(token)}\n`)).toEqual(token);
    expect(() => decodeToken(encodeToken({ ...token, secret: 'short' }))).toThrow(/damaged/);
    expect(() => decodeToken(encodeToken({ ...token, addrs: [] }))).toThrow(/damaged/);
    const codeOf = (text: string): unknown => {
      try {
        decodeToken(text);
        return undefined;
      } catch (err) {
        return (err as { code?: unknown }).code;
      }
    };
    expect(codeOf(`hm1.${Buffer.from('{"v":2}').toString('base64url')}`)).toBe('INVALID_INPUT');
    expect(codeOf('hm1.%%%')).toBe('INVALID_INPUT');
  });
});
