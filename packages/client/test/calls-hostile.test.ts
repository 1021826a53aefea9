/**
 * Calls when the server lies: a caller blocked here cannot ring this device even when the server forgets
 * the block and delivers the offer (the envelope is consumed and acknowledged, never shown).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Hostile } from './helpers/hostile.js';
import { collect, until } from './helpers/world.js';

let h: Hostile;
afterEach(async () => {
  await h.stop();
});

describe('calls through a hostile server', () => {
  it('an offer from an account blocked here never rings, whatever the server delivers', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    await bob.blockContact('alice');
    await h.tamper(
      (db) => {
        db.prepare('DELETE FROM blocks').run();
        const put = db.prepare(
          "INSERT INTO contacts (owner, peer, state) VALUES (?, ?, 'accepted') ON CONFLICT (owner, peer) DO UPDATE SET state = 'accepted'",
        );
        put.run('alice', 'bob');
        put.run('bob', 'alice');
      },
      [alice, bob],
    );
    await alice.listContacts(); // alice's side now says accepted again, as the server claims
    const calls = collect(bob, 'call');
    const messages = collect(bob, 'message');
    const out = await alice.calls.start('bob', { media: 'audio', sdp: 'v=0\r\n' });
    const pending = () =>
      h.query<{ n: number }>(
        "SELECT count(*) AS n FROM envelopes WHERE sender_account = 'alice' AND recipient_account = 'bob'",
      ).n;
    await until(() => pending() === 0); // delivered and acknowledged by bob …
    expect(calls).toEqual([]); // … and it never rang
    expect(messages).toEqual([]); // nor left a call log entry
    expect(bob.calls.current).toBeUndefined();
    await out.hangup();
  }, 60_000);
});
