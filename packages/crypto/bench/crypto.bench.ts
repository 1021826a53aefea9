/**
 * Session benchmarks, per backend (`node`, `portable`):
 * - handshakes_per_s: initiateSession + first encrypt + acceptPrekeyMessage;
 * - ratchet_msgs_per_s: encryptMessage + decryptMessage of a 256-byte message, steady state, one direction;
 * - floor_msgs_per_s: one AES-256-GCM seal + open of the same 256 bytes plus two HMAC chain steps (one
 *   KDF_CK at each end; a chain step is two HMAC-SHA-256 calls, message key and next chain key), the least
 *   any Double Ratchet message costs on this backend;
 * - floor_1hmac_msgs_per_s / ratchet_vs_floor_1hmac: the same with one HMAC call per chain step, a
 *   stricter floor that no spec-conforming KDF_CK reaches (shown for transparency);
 * - ratchet_vs_floor: time per ratchet message / time per floor message (target for node: <= 3);
 * - aead_mib_per_s: AES-256-GCM seal of 1 MiB chunks.
 * Each figure: warm-up, then a fixed measuring time. Human lines first; the LAST line is one JSON object
 * keyed by backend. Timings are only compared as ratios within one run (DESIGN §9).
 */

import { performance } from 'node:perf_hooks';
import {
  acceptPrekeyMessage,
  type CryptoProvider,
  createNodeProvider,
  createPortableProvider,
  decryptMessage,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  generateKemPrekey,
  generateSignedPrekey,
  initiateSession,
  issueDeviceCertificate,
  type LocalDevice,
  type PrekeyBundle,
  type PrekeySecrets,
  type SessionState,
} from '../src/index.js';

const WARMUP_MS = 300;
const MEASURE_MS = 1500;
/** Ratchet and floor are measured in alternating slices, so load from elsewhere hits both alike. */
const SLICES = 10;
const MESSAGE = new Uint8Array(256).fill(0x61);

async function warmUp(fn: () => Promise<void>): Promise<void> {
  const end = performance.now() + WARMUP_MS;
  while (performance.now() < end) await fn();
}

/** Runs `fn` for `ms`; returns [iterations, elapsed ms]. */
async function slice(fn: () => Promise<void>, ms: number): Promise<[number, number]> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await fn();
    n++;
    now = performance.now();
  }
  return [n, now - start];
}

/** Operations per second over a fixed measuring time, after a warm-up. */
async function rate(fn: () => Promise<void>): Promise<number> {
  await warmUp(fn);
  const [n, ms] = await slice(fn, MEASURE_MS);
  return (n * 1000) / ms;
}

/** Rates of several operations measured in alternating slices of one fixed total time each. */
async function interleaved(fns: ReadonlyArray<() => Promise<void>>): Promise<number[]> {
  for (const fn of fns) await warmUp(fn);
  const counts = fns.map(() => 0);
  const times = fns.map(() => 0);
  for (let i = 0; i < SLICES; i++) {
    for (const [k, fn] of fns.entries()) {
      const [n, ms] = await slice(fn, MEASURE_MS / SLICES);
      counts[k] = (counts[k] ?? 0) + n;
      times[k] = (times[k] ?? 0) + ms;
    }
  }
  return counts.map((n, k) => (n * 1000) / (times[k] ?? 1));
}

interface Party {
  self: LocalDevice;
  identityKey: Uint8Array;
  bundle: PrekeyBundle;
  secrets: PrekeySecrets;
}

async function party(p: CryptoProvider, name: string): Promise<Party> {
  const identity = await generateIdentityKeyPair(p);
  const keys = await generateDeviceKeys(p, 1);
  const certificate = await issueDeviceCertificate(p, identity, {
    accountName: name,
    deviceId: 1,
    signingKey: keys.signing.publicKey,
    dhKey: keys.dh.publicKey,
    createdAt: Date.now(),
  });
  const spk = await generateSignedPrekey(p, keys, 1, Date.now());
  const kem = await generateKemPrekey(p, keys, 1, { lastResort: true });
  return {
    self: { certificate, keys },
    identityKey: identity.publicKey,
    bundle: { deviceCertificate: certificate, signedPrekey: spk.public, kemPrekey: kem.public },
    secrets: {
      signedPrekey: (id) => (id === 1 ? spk : undefined),
      kemPrekey: (id) => (id === 1 ? kem : undefined),
      oneTimePrekey: () => undefined,
    },
  };
}

async function bench(p: CryptoProvider): Promise<Record<string, number>> {
  const alice = await party(p, 'alice');
  const bob = await party(p, 'bob');
  const handshake = async (): Promise<{ a: SessionState; b: SessionState }> => {
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle,
      remoteIdentityKey: bob.identityKey,
    });
    const first = await encryptMessage(p, init.state, MESSAGE);
    const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, first.ciphertext);
    return { a: first.state, b: accepted.state };
  };
  const handshakes = await rate(async () => {
    await handshake();
  });

  // Steady state: one reply so Alice sends plain messages, then Alice → Bob only.
  let { a, b } = await handshake();
  const reply = await encryptMessage(p, b, MESSAGE);
  b = reply.state;
  a = (await decryptMessage(p, a, reply.ciphertext)).state;
  const ratchetMessage = async (): Promise<void> => {
    const sent = await encryptMessage(p, a, MESSAGE);
    a = sent.state;
    b = (await decryptMessage(p, b, sent.ciphertext)).state;
  };

  const key = p.randomBytes(32);
  const nonce = p.randomBytes(12);
  const aad = p.randomBytes(64);
  const chainKey = p.randomBytes(32);
  const one = Uint8Array.of(1);
  const two = Uint8Array.of(2);
  const sealOpen = async (): Promise<void> => {
    const sealed = await p.aes256GcmSeal(key, nonce, MESSAGE, aad);
    await p.aes256GcmOpen(key, nonce, sealed, aad);
  };
  // The floor: one chain step (KDF_CK: message key and next chain key) at each end, one seal, one open.
  const floorMessage = async (): Promise<void> => {
    await p.hmacSha256(chainKey, one);
    await p.hmacSha256(chainKey, two);
    await p.hmacSha256(chainKey, one);
    await p.hmacSha256(chainKey, two);
    await sealOpen();
  };
  const floor1HmacMessage = async (): Promise<void> => {
    await p.hmacSha256(chainKey, one);
    await p.hmacSha256(chainKey, two);
    await sealOpen();
  };
  const [ratchet = 0, floor = 0, floor1Hmac = 0] = await interleaved([
    ratchetMessage,
    floorMessage,
    floor1HmacMessage,
  ]);

  const chunk = p.randomBytes(1 << 20);
  const empty = new Uint8Array(0);
  const aead = await rate(async () => {
    await p.aes256GcmSeal(key, nonce, chunk, empty);
  });

  return {
    handshakes_per_s: round(handshakes),
    ratchet_msgs_per_s: round(ratchet),
    floor_msgs_per_s: round(floor),
    ratchet_vs_floor: Math.round((floor / ratchet) * 100) / 100,
    floor_1hmac_msgs_per_s: round(floor1Hmac),
    ratchet_vs_floor_1hmac: Math.round((floor1Hmac / ratchet) * 100) / 100,
    aead_mib_per_s: round(aead),
  };
}

const round = (x: number): number => Math.round(x * 10) / 10;

const backends: Array<[string, CryptoProvider]> = [
  ['node', createNodeProvider()],
  ['portable', await createPortableProvider()],
];
const results: Record<string, Record<string, number>> = {};
for (const [name, p] of backends) {
  const r = await bench(p);
  results[name] = r;
  process.stdout.write(
    `${name}: ${r.handshakes_per_s} handshakes/s, ${r.ratchet_msgs_per_s} ratchet msgs/s, ` +
      `${r.floor_msgs_per_s} floor msgs/s (ratchet/floor ${r.ratchet_vs_floor}x; ` +
      `with one HMAC per chain step ${r.ratchet_vs_floor_1hmac}x), ` +
      `AES-256-GCM seal ${r.aead_mib_per_s} MiB/s\n`,
  );
}
process.stdout.write(`${JSON.stringify(results)}\n`);
