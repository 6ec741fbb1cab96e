import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { Membership } from '../../../src/mesh/Membership.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { GUEST_EXPIRY_TOLERANCE_MS } from '../../../src/teams/constants.js';
import { teamWriteCheck } from '../../../src/teams/teamWrites.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';
import { tmpHome } from '../../helpers/tmpHome.js';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

/** Roles as a host reads them from its signed membership (real LevelDB): now, at a past time, and for its own writes. */
describe('team grants read from the membership', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function mesh() {
    const home = tmpHome();
    const store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
    cleanups.push(() => home.cleanup(), () => store.close());
    const [admin, bravo] = await Promise.all([newSigner(), newSigner()]);
    let root: string | undefined;
    const m = new Membership({ store, signer: admin, meshId: 'mesh-1', actorId: 'aa'.repeat(16), founder: true, root: () => root, setRoot: (id) => Promise.resolve(void (root = id)), logger: silentLogger() });
    await m.start();
    await m.ensureSelf('admin', []);
    await m.add(bravo.peerId, { name: 'bravo', addrs: [] });
    return { m, admin, bravo };
  }

  it('a guest counts until its end plus the tolerance, by the reader\'s clock; a member\'s role at a past time is the one it had then', async () => {
    const { m, bravo } = await mesh();
    const end = Date.now() + 3_600_000;
    await m.setTeam(bravo.peerId, 'ops', 'guest', end);
    expect(m.teamRole(bravo.peerId, 'ops')).toBe('guest');
    expect(m.teamRole(bravo.peerId, 'ops', end + GUEST_EXPIRY_TOLERANCE_MS)).toBe('guest');
    expect(m.teamRole(bravo.peerId, 'ops', end + GUEST_EXPIRY_TOLERANCE_MS + 1)).toBeUndefined();
    expect(m.teamsOf(bravo.peerId, end + GUEST_EXPIRY_TOLERANCE_MS + 1)).toEqual([]);

    const beforeDemotion = Date.now();
    await m.setTeam(bravo.peerId, 'ops', 'member');
    await new Promise((r) => setTimeout(r, 5)); // distinct operation times (ms clock)
    await m.setTeam(bravo.peerId, 'ops', 'readonly');
    expect(m.teamRole(bravo.peerId, 'ops')).toBe('readonly');
    const history = m.teamHistory('ops').filter((h) => h.peer === bravo.peerId);
    const memberAt = history.find((h) => h.role === 'member')!.at;
    expect(m.teamGrantAt(bravo.peerId, 'ops', memberAt)?.role).toBe('member');
    expect(m.teamGrantAt(bravo.peerId, 'ops', Date.now() + 1000)?.role).toBe('readonly');
    expect(m.teamGrantAt(bravo.peerId, 'ops', beforeDemotion - 60_000)).toBeUndefined();
  });

  it('this host\'s own team writes: the only team is the default; readonly and strangers are refused before writing', async () => {
    const { m, admin, bravo } = await mesh();
    await m.setTeam(admin.peerId, 'ops', 'owner');
    expect(teamWriteCheck(m, admin.peerId)(undefined)).toBe('ops');
    expect(() => teamWriteCheck(m, admin.peerId)('dev')).toThrow(expect.objectContaining({ code: 'NOT_AUTHORISED' }));
    await m.setTeam(bravo.peerId, 'ops', 'readonly');
    expect(() => teamWriteCheck(m, bravo.peerId)('ops')).toThrow(expect.objectContaining({ code: 'NOT_AUTHORISED' }));
    expect(() => teamWriteCheck(m, bravo.peerId)(undefined)).toThrow(/only reads its teams/);
  });
});
