import {
  accountDevicesPath,
  accountDevicesResponse,
  addDeviceRequest,
  addDeviceResponse,
  CBOR_CONTENT_TYPE,
  DEFAULT_LIMITS,
  decodeBody,
  encodeBody,
  encodeCbor,
  errorBody,
  loginFinishRequest,
  loginFinishResponse,
  loginStartRequest,
  loginStartResponse,
  ROUTES,
  registerFinishRequest,
  registerFinishResponse,
  registerStartRequest,
  registerStartResponse,
  type Schema,
  SottoError,
  WIRE_BOUNDS,
} from '@sotto/protocol';
import { describe, expect, it } from 'vitest';

const b = (n: number, fill = 5) => new Uint8Array(n).fill(fill);
const opaque = 'AbC-_0123456789xyz';

const BODIES: [string, Schema<unknown>, unknown][] = [
  ['register/start request', registerStartRequest, { account: 'alice', registrationRequest: opaque }],
  [
    'register/start request with an invite',
    registerStartRequest,
    { account: 'alice', registrationRequest: opaque, invite: 'Ab-_0123456789xyzAbC' },
  ],
  ['register/start response', registerStartResponse, { registrationResponse: opaque }],
  [
    'register/finish request',
    registerFinishRequest,
    {
      account: 'alice',
      registrationRecord: opaque,
      identityKey: b(33),
      deviceCertificate: b(150),
      deviceList: b(120),
      backup: b(300),
    },
  ],
  ['register/finish response', registerFinishResponse, { account: 'alice', deviceId: 1 }],
  ['login/start request', loginStartRequest, { account: 'alice', startLoginRequest: opaque }],
  ['login/start response', loginStartResponse, { loginId: b(16), loginResponse: opaque }],
  ['login/finish request', loginFinishRequest, { loginId: b(16), finishLoginRequest: opaque }],
  [
    'login/finish response',
    loginFinishResponse,
    {
      account: 'alice',
      ticket: b(32),
      ticketExpiresAt: 1_790_000_000_000,
      identityKey: b(33),
      backup: b(300),
    },
  ],
  ['devices request', addDeviceRequest, { ticket: b(32), certificate: b(150), deviceList: b(160) }],
  ['devices response', addDeviceResponse, { account: 'alice', deviceId: 2 }],
  [
    'account devices response',
    accountDevicesResponse,
    { account: 'alice', identityKey: b(33), deviceList: b(160), certificates: [b(150), b(150, 6)] },
  ],
  ['error body', errorBody, { code: 'LOGIN_FAILED', message: 'Login failed.' }],
];

describe('HTTP bodies', () => {
  it.each(BODIES)('%s round-trips', (_name, schema, value) => {
    const bytes = encodeBody(schema, value);
    expect(decodeBody(schema, bytes)).toEqual(value);
  });

  it('rejects a body of the wrong shape, an oversize body and an OPAQUE string outside base64url', () => {
    expect(() => decodeBody(addDeviceResponse, encodeCbor({ account: 'alice' }))).toThrow(SottoError);
    expect(() =>
      decodeBody(registerStartRequest, encodeCbor({ account: 'alice', registrationRequest: 'a b' })),
    ).toThrow(SottoError);
    let caught: unknown;
    try {
      decodeBody(addDeviceRequest, new Uint8Array(DEFAULT_LIMITS.maxBodyBytes + 1));
    } catch (err) {
      caught = err;
    }
    expect(SottoError.is(caught, 'FRAME_TOO_LARGE')).toBe(true);
    expect(() => encodeBody(addDeviceResponse, { account: 'Alice', deviceId: 1 })).toThrow(SottoError);
    for (const invite of ['short', 'x'.repeat(65), 'has space in it here', 'not+base64url/chars', 7]) {
      const body = encodeCbor({ account: 'alice', registrationRequest: opaque, invite });
      expect(() => decodeBody(registerStartRequest, body), String(invite)).toThrow(SottoError);
    }
  });

  it('names its routes and content type', () => {
    expect(CBOR_CONTENT_TYPE).toBe('application/cbor');
    expect(ROUTES.ws).toBe('/v1/ws');
    expect(accountDevicesPath('bob.smith')).toBe('/v1/accounts/bob.smith/devices');
    for (const path of Object.values(ROUTES)) expect(path).toMatch(/^\/(v1\/|healthz|readyz|metrics)/);
  });
});

describe('limits', () => {
  it('defaults stay within the wire bounds and can carry the largest legal frames', () => {
    expect(DEFAULT_LIMITS.maxMessagesPerSend).toBeLessThanOrEqual(WIRE_BOUNDS.messagesPerSend);
    expect(DEFAULT_LIMITS.prekeyMaxBatch).toBeLessThanOrEqual(WIRE_BOUNDS.prekeyBatch);
    expect(DEFAULT_LIMITS.prekeyLowWaterMark).toBeLessThan(DEFAULT_LIMITS.prekeyMaxStored);
    expect(DEFAULT_LIMITS.maxBodyBytes).toBeGreaterThan(WIRE_BOUNDS.backupBytes + 16 * 1024);
    // A full batch of KEM prekeys fits in one frame.
    expect(DEFAULT_LIMITS.maxFrameBytes).toBeGreaterThan(WIRE_BOUNDS.prekeyBatch * 1300);
    expect(DEFAULT_LIMITS.mailboxMaxAgeMs).toBe(30 * 24 * 3600 * 1000);
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });
});
