import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readManifests } from '../../../src/mesh/manifests.js';
import { tmpHome } from '../../helpers/tmpHome.js';

describe('member manifests', () => {
  let home: ReturnType<typeof tmpHome>;
  beforeEach(() => (home = tmpHome()));
  afterEach(() => home.cleanup());

  it('reads files and folders of manifests, relative to the home', async () => {
    const a = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    const b = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    mkdirSync(join(home.dir, 'peers'));
    writeFileSync(join(home.dir, 'peers', 'a.json'), JSON.stringify({ peer_id: a, name: 'search-1', addrs: [`/ip4/100.64.0.1/tcp/7411/p2p/${a}`], teams: ['platform'] }));
    writeFileSync(join(home.dir, 'peers', 'notes.txt'), 'ignored');
    writeFileSync(join(home.dir, 'b.json'), JSON.stringify({ peer_id: b, name: 'laptop' }));
    const manifests = await readManifests(['peers', join(home.dir, 'b.json')], home.dir);
    expect(manifests).toEqual([
      { peer_id: a, name: 'search-1', addrs: [`/ip4/100.64.0.1/tcp/7411/p2p/${a}`], teams: ['platform'] },
      { peer_id: b, name: 'laptop', addrs: [], teams: [] },
    ]);
  });

  it('names the file and the field of a bad manifest', async () => {
    writeFileSync(join(home.dir, 'bad.json'), JSON.stringify({ peer_id: 'not-a-peer', name: 'x' }));
    await expect(readManifests(['bad.json'], home.dir)).rejects.toMatchObject({ code: 'HOME_INVALID', message: expect.stringMatching(/bad\.json: peer_id/) as unknown });
    await expect(readManifests(['missing.json'], home.dir)).rejects.toMatchObject({ code: 'HOME_INVALID' });
  });
});

describe('peers/example-host.json', () => {
  it('is a valid manifest', async () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'peers');
    const [m] = await readManifests([join(dir, 'example-host.json')], dir);
    expect(m?.name).toBe('search-node-1');
  });
});
