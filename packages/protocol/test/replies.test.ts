import {
  DEFAULT_LIMITS,
  decodeBody,
  decodeFrame,
  encodeBody,
  encodeCbor,
  encodeFrame,
  errorBody,
  SottoError,
  toErrorBody,
  toErrorFrame,
  tryDecodeFrame,
} from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

const mismatch = { missing: [{ account: 'bob', deviceId: 2 }], extra: [], stale: [] };

describe('error replies', () => {
  it('carries a SottoError code and sentence, and always encodes', () => {
    const frame = toErrorFrame(new SottoError('RATE_LIMITED'), 7);
    expect(frame).toEqual({
      t: 'error',
      id: 7,
      code: 'RATE_LIMITED',
      message: 'Too many requests; wait and retry later.',
    });
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
  });

  it('hides anything that is not a SottoError behind INTERNAL', () => {
    const frame = toErrorFrame(new Error('SQLITE_BUSY at /var/lib/sotto/db password=hunter2'));
    expect(frame.code).toBe('INTERNAL');
    expect(frame.message).not.toContain('hunter2');
    expect(frame.id).toBeUndefined();
    expect(toErrorBody('boom').code).toBe('INTERNAL');
  });

  it('attaches the device difference only to DEVICE_MISMATCH', () => {
    expect(toErrorFrame(new SottoError('DEVICE_MISMATCH'), 1, mismatch).devices).toEqual(mismatch);
    expect(toErrorFrame(new SottoError('BLOCKED'), 1, mismatch).devices).toBeUndefined();
    const body = toErrorBody(new SottoError('DEVICE_MISMATCH'), mismatch);
    expect(decodeBody(errorBody, encodeBody(errorBody, body))).toEqual(body);
  });

  it('strips control characters and truncates long sentences so the frame stays valid', () => {
    const frame = toErrorFrame(
      new SottoError('INVALID_ARGUMENT', `bad\u0000\u001b[31m ${'x'.repeat(2000)}`),
      3,
    );
    expect(frame.message).not.toMatch(/\p{Cc}/u);
    expect([...frame.message].length).toBeLessThanOrEqual(512);
    expect(decodeFrame(encodeFrame(frame)).t).toBe('error');
  });

  it('rejects control characters in displayed text on the wire', () => {
    const bad = encodeCbor({ t: 'presence.set', id: 1, state: 'online', text: 'hi\u001b[2J' });
    expect(() => decodeFrame(bad)).toThrow(SottoError);
  });
});

describe('tryDecodeFrame', () => {
  it('returns the frame on success', () => {
    const r = tryDecodeFrame(encodeFrame({ t: 'ping', id: 4 }), DEFAULT_LIMITS, 'client');
    expect(r).toEqual({ ok: true, frame: { t: 'ping', id: 4 } });
  });

  it('returns the request id of a well-formed but invalid request', () => {
    const r = tryDecodeFrame(
      encodeCbor({ t: 'keys.bundles', id: 9, account: 'NOPE' }),
      DEFAULT_LIMITS,
      'client',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.id).toBe(9);
    expect(r.error.code).toBe('BAD_FRAME');
    const unknown = tryDecodeFrame(encodeCbor({ t: 'teleport', id: 10 }), DEFAULT_LIMITS, 'client');
    expect(unknown).toMatchObject({ ok: false, id: 10 });
    if (!unknown.ok) expect(unknown.error.code).toBe('UNKNOWN_FRAME_TYPE');
  });

  it('returns no id when there is none to trust', () => {
    for (const bytes of [
      new Uint8Array([0xff]),
      encodeCbor({ t: 'ping', id: -3 }),
      encodeCbor({ t: 'ping', id: 'x' }),
    ]) {
      const r = tryDecodeFrame(bytes, DEFAULT_LIMITS, 'client');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.id).toBeUndefined();
        expect(SottoError.is(r.error)).toBe(true);
      }
    }
    const big = tryDecodeFrame(new Uint8Array(10), { maxFrameBytes: 5 }, 'client');
    expect(big.ok ? 'ok' : big.error.code).toBe('FRAME_TOO_LARGE');
  });
});
