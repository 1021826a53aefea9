import {
  DEFAULT_LIMITS,
  decodeFrame,
  encodeCbor,
  encodeFrame,
  type FrameOf,
  LARGE_CLIENT_FRAMES,
  SottoError,
  WIRE_BOUNDS,
} from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (SottoError.is(err)) return err.code;
    throw err;
  }
  return 'no error';
}

const gid = new Uint8Array(16).fill(5);
const commit = (fields: Record<string, unknown>) =>
  encodeCbor({
    t: 'groups.commit',
    id: 1,
    groupId: gid,
    epoch: 0,
    commit: new Uint8Array(9),
    added: [],
    removed: [],
    ...fields,
  });

describe('group and MLS key frames', () => {
  it('takes a group id of exactly 16 bytes and a ciphersuite of 1..65535', () => {
    expect(codeOf(() => decodeFrame(commit({ groupId: new Uint8Array(15) }), DEFAULT_LIMITS, 'client'))).toBe(
      'BAD_FRAME',
    );
    expect(decodeFrame(commit({}), DEFAULT_LIMITS, 'client').t).toBe('groups.commit');
    const create = (suite: number) => encodeCbor({ t: 'groups.create', id: 2, groupId: gid, suite });
    expect(codeOf(() => decodeFrame(create(0), DEFAULT_LIMITS, 'client'))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(create(0x10000), DEFAULT_LIMITS, 'client'))).toBe('BAD_FRAME');
    expect(decodeFrame(create(0xf031), DEFAULT_LIMITS, 'client').t).toBe('groups.create');
  });

  it('bounds KeyPackages per upload, their size and the devices of a claim', () => {
    const kp = (n: number) => new Uint8Array(n).fill(1);
    const upload = (keyPackages: Uint8Array[]) => encodeCbor({ t: 'mls.keys.upload', id: 3, keyPackages });
    const big = { maxFrameBytes: WIRE_BOUNDS.largeFrameBytes };
    expect(decodeFrame(upload([kp(WIRE_BOUNDS.keyPackageBytes)]), big, 'client').t).toBe('mls.keys.upload');
    expect(codeOf(() => decodeFrame(upload([kp(WIRE_BOUNDS.keyPackageBytes + 1)]), big, 'client'))).toBe(
      'BAD_FRAME',
    );
    const many = Array.from({ length: WIRE_BOUNDS.keyPackagesPerUpload + 1 }, () => kp(10));
    expect(codeOf(() => decodeFrame(upload(many), big, 'client'))).toBe('BAD_FRAME');
    const claim = (n: number) =>
      encodeCbor({
        t: 'mls.keys.claim',
        id: 4,
        devices: Array.from({ length: n }, (_, i) => ({ account: 'bob', deviceId: i })),
      });
    expect(codeOf(() => decodeFrame(claim(0), DEFAULT_LIMITS, 'client'))).toBe('BAD_FRAME');
    expect(decodeFrame(claim(WIRE_BOUNDS.keyPackageClaimDevices), DEFAULT_LIMITS, 'client').t).toBe(
      'mls.keys.claim',
    );
    expect(
      codeOf(() => decodeFrame(claim(WIRE_BOUNDS.keyPackageClaimDevices + 1), DEFAULT_LIMITS, 'client')),
    ).toBe('BAD_FRAME');
  });

  it('lets only commits and KeyPackage uploads be large frames, within the wire bound', () => {
    expect([...LARGE_CLIENT_FRAMES].sort()).toEqual(['groups.commit', 'mls.keys.upload']);
    expect(DEFAULT_LIMITS.maxGroupFrameBytes).toBeLessThanOrEqual(WIRE_BOUNDS.largeFrameBytes);
    expect(DEFAULT_LIMITS.maxGroupFrameBytes).toBeGreaterThan(DEFAULT_LIMITS.maxFrameBytes);
    // A 3 MB Welcome (a 1,000-device X-Wing tree) fits a commit frame under the group limit, not the plain one.
    const bytes = commit({ welcome: new Uint8Array(3_000_000), added: [{ account: 'bob', deviceId: 1 }] });
    expect(codeOf(() => decodeFrame(bytes, DEFAULT_LIMITS, 'client'))).toBe('FRAME_TOO_LARGE');
    const f = decodeFrame(bytes, { maxFrameBytes: DEFAULT_LIMITS.maxGroupFrameBytes }, 'client');
    expect(f.t === 'groups.commit' && f.welcome?.length).toBe(3_000_000);
  });

  it('carries the group of an envelope and the epoch of a STALE_EPOCH error', () => {
    const envelope: FrameOf<'envelope'> = {
      t: 'envelope',
      envelopeId: new Uint8Array(16),
      from: { account: 'alice', deviceId: 1 },
      serverTime: 1,
      body: new Uint8Array(2_000_000),
      group: { id: gid, kind: 'welcome', epoch: 4 },
    };
    const back = decodeFrame(encodeFrame(envelope, { maxFrameBytes: WIRE_BOUNDS.largeFrameBytes }), {
      maxFrameBytes: WIRE_BOUNDS.largeFrameBytes,
    });
    expect(back).toEqual(envelope);
    const kind = encodeCbor({
      ...envelope,
      body: new Uint8Array(3),
      group: { id: gid, kind: 'typing', epoch: 4 },
    });
    expect(codeOf(() => decodeFrame(kind, DEFAULT_LIMITS, 'server'))).toBe('BAD_FRAME');
    const err = decodeFrame(
      encodeFrame({ t: 'error', id: 9, code: 'STALE_EPOCH', message: 'moved on', epoch: 7 }),
      DEFAULT_LIMITS,
      'server',
    );
    expect(err).toMatchObject({ code: 'STALE_EPOCH', epoch: 7 });
  });
});
