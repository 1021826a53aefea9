/**
 * Client fan-out (DESIGN §4): one `send` carries one ciphertext for every certified device of the
 * recipient and for every other certified device of our own account. Missing sessions are created from
 * prekey bundles verified against the trusted identity key and the verified device list. New session
 * states are stored BEFORE the frame leaves (a message key is never used twice, even after a crash). On
 * DEVICE_MISMATCH the device lists are fetched and verified again and the send is retried; a device that
 * is not certified by its identity key is never encrypted to.
 */

import {
  decodeDeviceCertificate,
  decodeKemPrekey,
  decodeOneTimePrekey,
  decodeSignedPrekey,
  encryptMessage,
  equalBytes,
  initiateSession,
  type PrekeyBundle,
  type SessionState,
  SottoError,
} from '@sotto/crypto';
import type { FrameOf, OutgoingMessage } from '@sotto/protocol';
import type { Ctx } from './context.js';
import { devicesOf, refreshDevices, type VerifiedDevices } from './directory.js';
import { localDevice } from './profile.js';
import { loadSessions, sessionsOp } from './sessions.js';
import type { StoreOp } from './store/store.js';
import { ServerError } from './transport.js';
import { trustedIdentity } from './trust.js';

/** Attempts before a persistent device mismatch is reported. */
const MAX_ATTEMPTS = 3;

/** One device to encrypt to. */
export interface Target {
  readonly account: string;
  readonly deviceId: number;
  /** True for our own other devices. */
  readonly own: boolean;
}

/** A fan-out request. */
export interface FanoutInput {
  /** The recipient account (our own account for a sync to our other devices only). */
  readonly to: string;
  /** The plaintext for a target (the own-device copy usually differs). */
  readonly plaintextFor: (target: Target) => Uint8Array;
  /**
   * The only identity key of `to` this may be encrypted to (the key trusted when a message was written);
   * when the account's verified devices are under another key the send fails with UNTRUSTED_IDENTITY.
   */
  readonly identityKey?: Uint8Array;
  /** Extra operations stored together with the new session states (e.g. the pending message). */
  readonly extraOps?: readonly StoreOp[];
}

function targetsOf(devices: VerifiedDevices, own: boolean, exclude?: number): Target[] {
  return [...devices.certified.keys()]
    .filter((id) => id !== exclude)
    .map((deviceId) => ({ account: devices.account, deviceId, own }));
}

function bundleOf(b: FrameOf<'keys.bundles.result'>['bundles'][number]): PrekeyBundle {
  const base = {
    deviceCertificate: decodeDeviceCertificate(b.certificate),
    signedPrekey: decodeSignedPrekey(b.signedPrekey),
    kemPrekey: decodeKemPrekey(b.kemPrekey),
  };
  return b.oneTimePrekey === undefined
    ? base
    : { ...base, oneTimePrekey: decodeOneTimePrekey(b.oneTimePrekey) };
}

/** Creates sessions with `targets` of one account from freshly fetched, verified bundles. */
async function openSessions(
  ctx: Ctx,
  devices: VerifiedDevices,
  targets: readonly Target[],
): Promise<Map<number, SessionState>> {
  const out = new Map<number, SessionState>();
  if (targets.length === 0) return out;
  const identityKey = await trustedIdentity(ctx, devices.account);
  if (identityKey === undefined || !equalBytes(identityKey, devices.identityKey)) {
    throw new SottoError('UNTRUSTED_IDENTITY', 'The identity key of this account is not trusted.');
  }
  const r = (await ctx.request({
    t: 'keys.bundles',
    account: devices.account,
  })) as FrameOf<'keys.bundles.result'>;
  for (const t of targets) {
    const wire = r.bundles.find((b) => b.deviceId === t.deviceId);
    if (wire === undefined) throw new SottoError('NO_PREKEYS', 'A device of the account has no prekeys.');
    const bundle = bundleOf(wire);
    const cert = devices.certified.get(t.deviceId);
    // The bundle's certificate must be the one the verified list vouches for (same device signing key).
    if (
      cert === undefined ||
      bundle.deviceCertificate.deviceId !== t.deviceId ||
      !equalBytes(cert.signingKey, bundle.deviceCertificate.signingKey)
    ) {
      throw new SottoError('UNTRUSTED_IDENTITY', 'A prekey bundle does not match the verified device list.');
    }
    const { state } = await initiateSession(ctx.p, {
      self: localDevice(ctx.profile),
      bundle,
      remoteIdentityKey: identityKey,
    });
    out.set(t.deviceId, state);
  }
  return out;
}

/** True when a stored session still fits the device as its verified certificate describes it. */
function fits(
  state: SessionState | undefined,
  devices: VerifiedDevices,
  deviceId: number,
): state is SessionState {
  const cert = devices.certified.get(deviceId);
  return (
    state !== undefined &&
    cert !== undefined &&
    equalBytes(state.remote.identityKey, devices.identityKey) &&
    equalBytes(state.remote.signingKey, cert.signingKey) &&
    equalBytes(state.remote.dhKey, cert.dhKey)
  );
}

async function attempt(
  ctx: Ctx,
  input: FanoutInput,
  peer: VerifiedDevices | undefined,
  own: VerifiedDevices,
): Promise<FrameOf<'sent'>> {
  if (
    peer !== undefined &&
    input.identityKey !== undefined &&
    !equalBytes(peer.identityKey, input.identityKey)
  ) {
    throw new SottoError(
      'UNTRUSTED_IDENTITY',
      'The identity key of this contact changed after the message was written.',
    );
  }
  const groups: Array<[VerifiedDevices, Target[]]> = [[own, targetsOf(own, true, ctx.profile.deviceId)]];
  if (peer !== undefined) groups.unshift([peer, targetsOf(peer, false)]);
  const messages: OutgoingMessage[] = [];
  const ops: StoreOp[] = [...(input.extraOps ?? [])];
  for (const [devices, targets] of groups) {
    const current = new Map<number, SessionState[]>();
    const missing: Target[] = [];
    for (const t of targets) {
      const states = await loadSessions(ctx.store, t.account, t.deviceId);
      current.set(t.deviceId, states);
      if (!fits(states[0], devices, t.deviceId)) missing.push(t);
    }
    const opened = await openSessions(ctx, devices, missing);
    for (const t of targets) {
      const states = current.get(t.deviceId) ?? [];
      const fresh = opened.get(t.deviceId);
      const all = fresh === undefined ? states : [fresh, ...states];
      const [head, ...rest] = all;
      if (head === undefined) continue;
      const { state, ciphertext } = await encryptMessage(ctx.p, head, input.plaintextFor(t));
      ops.push(sessionsOp(t.account, t.deviceId, [state, ...rest]));
      messages.push({ account: t.account, deviceId: t.deviceId, body: ciphertext });
    }
  }
  if (messages.length === 0) {
    // Nobody to send to (a self-sync with no other device): nothing leaves, nothing is stored remotely.
    await ctx.store.write(ops);
    return { t: 'sent', id: 0, envelopeIds: [], serverTime: ctx.clock.now() };
  }
  await ctx.store.write(ops);
  return (await ctx.request({ t: 'send', to: input.to, messages })) as FrameOf<'sent'>;
}

/**
 * Encrypts and sends to every device of `input.to` and our other devices. Throws UNTRUSTED_IDENTITY,
 * NO_PREKEYS, NOT_A_CONTACT, BLOCKED, MAILBOX_FULL, RATE_LIMITED, NOT_CONNECTED, or DEVICE_MISMATCH when the
 * device lists could not be reconciled in {@link MAX_ATTEMPTS} tries.
 */
export async function fanout(ctx: Ctx, input: FanoutInput): Promise<FrameOf<'sent'>> {
  const self = ctx.profile.account;
  let peer = input.to === self ? undefined : await devicesOf(ctx, input.to);
  let own = await devicesOf(ctx, self);
  for (let i = 1; ; i++) {
    try {
      return await attempt(ctx, { ...input, extraOps: i === 1 ? input.extraOps : [] }, peer, own);
    } catch (err) {
      if (!(err instanceof ServerError) || err.code !== 'DEVICE_MISMATCH' || i >= MAX_ATTEMPTS) throw err;
      const accounts = new Set(
        [...(err.devices?.missing ?? []), ...(err.devices?.extra ?? [])].map((d) => d.account),
      );
      if (accounts.size === 0) accounts.add(input.to);
      if (peer !== undefined && accounts.has(input.to)) peer = await refreshDevices(ctx, input.to);
      if (accounts.has(self)) own = await refreshDevices(ctx, self);
    }
  }
}
