/**
 * A test account: keys made with @sotto/crypto, registered and logged in over HTTP with the real OPAQUE
 * client, the way a real client does it.
 */
import * as opaque from '@serenity-kit/opaque';
import {
  createNodeProvider,
  type DeviceKeys,
  encodeDeviceCertificate,
  encodeDeviceList,
  encodeKemPrekey,
  encodeOneTimePrekey,
  encodePublicKey,
  encodeSignedPrekey,
  generateDeviceKeys,
  generateIdentityKeyPair,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type IdentityKeyPair,
  issueDeviceCertificate,
  KeyType,
  signDeviceList,
} from '@sotto/crypto';
import { CBOR_CONTENT_TYPE, type CborValue, decodeCbor, encodeCbor, ROUTES } from '@sotto/protocol';

/** The crypto provider tests use. */
export const provider = createNodeProvider();

/** Sends a CBOR body (or none) and returns the status and decoded CBOR answer. */
export async function http(
  url: string,
  method: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': CBOR_CONTENT_TYPE }, body: Buffer.from(encodeCbor(body as CborValue)) }),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  let parsed: Record<string, unknown> = {};
  if (bytes.length > 0 && type.startsWith(CBOR_CONTENT_TYPE))
    parsed = decodeCbor(bytes, { maxDepth: 16 }) as Record<string, unknown>;
  else if (bytes.length > 0)
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  return { status: res.status, body: parsed };
}

/** An account with its identity key and devices (ids 1, 2, …). */
export class TestAccount {
  version = 1;
  readonly devices: DeviceKeys[] = [];

  private constructor(
    readonly name: string,
    readonly password: string,
    readonly identity: IdentityKeyPair,
  ) {}

  /** Makes keys for an account with `deviceCount` devices (nothing is sent). */
  static async create(
    name: string,
    password = `pw-${name}-correct horse`,
    deviceCount = 1,
  ): Promise<TestAccount> {
    const a = new TestAccount(name, password, await generateIdentityKeyPair(provider));
    for (let i = 1; i <= deviceCount; i++) a.devices.push(await generateDeviceKeys(provider, i));
    return a;
  }

  /** The device with id `id`. */
  device(id = 1): DeviceKeys {
    const d = this.devices.find((x) => x.deviceId === id);
    if (d === undefined) throw new Error(`no device ${id}`);
    return d;
  }

  /** The encoded device list at `version` over `devices` (default: the current ones). */
  async deviceList(
    version = this.version,
    devices = this.devices,
    identity = this.identity,
  ): Promise<Uint8Array> {
    const list = await signDeviceList(provider, identity, {
      accountName: this.name,
      version,
      issuedAt: Date.now(),
      devices: devices.map((d) => ({ deviceId: d.deviceId, signingKey: d.signing.publicKey })),
    });
    return encodeDeviceList(list);
  }

  /** Registers over HTTP (OPAQUE); returns the finish status. */
  async register(baseUrl: string, backup = new Uint8Array([1, 2, 3])): Promise<number> {
    return (await this.tryRegister(baseUrl, { backup })).status;
  }

  /**
   * Registers over HTTP (OPAQUE) with the options given: an `invite` in both requests, or a device list
   * signed by another identity (`foreignList`, which the server must reject at `finish`). Returns the
   * step that answered last, its status and its error code.
   */
  async tryRegister(
    baseUrl: string,
    options: { backup?: Uint8Array; invite?: string; foreignList?: boolean } = {},
  ): Promise<{ step: 'start' | 'finish'; status: number; code: string | undefined }> {
    const extra = options.invite === undefined ? {} : { invite: options.invite };
    const codeOf = (body: Record<string, unknown>) => (typeof body.code === 'string' ? body.code : undefined);
    await opaque.ready;
    const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({
      password: this.password,
    });
    const start = await http(`${baseUrl}${ROUTES.registerStart}`, 'POST', {
      account: this.name,
      registrationRequest,
      ...extra,
    });
    if (start.status !== 200) return { step: 'start', status: start.status, code: codeOf(start.body) };
    const { registrationRecord } = opaque.client.finishRegistration({
      clientRegistrationState,
      registrationResponse: String(start.body.registrationResponse),
      password: this.password,
    });
    const first = this.devices[0];
    if (first === undefined) throw new Error('no device');
    const signer = options.foreignList ? await generateIdentityKeyPair(provider) : this.identity;
    const finish = await http(`${baseUrl}${ROUTES.registerFinish}`, 'POST', {
      account: this.name,
      registrationRecord,
      identityKey: encodePublicKey(KeyType.identity, this.identity.publicKey),
      deviceCertificate: await this.certificate(first.deviceId),
      deviceList: await this.deviceList(this.version, this.devices, signer),
      backup: options.backup ?? new Uint8Array([1, 2, 3]),
      ...extra,
    });
    return { step: 'finish', status: finish.status, code: codeOf(finish.body) };
  }

  /**
   * Logs in over HTTP (`login/finish` to `finishUrl`, another node, when given); returns the login answer,
   * or the failing status.
   */
  async login(
    baseUrl: string,
    password = this.password,
    finishUrl = baseUrl,
  ): Promise<{ ok: true; ticket: Uint8Array; backup: Uint8Array } | { ok: false; status: number }> {
    await opaque.ready;
    const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password });
    const start = await http(`${baseUrl}${ROUTES.loginStart}`, 'POST', {
      account: this.name,
      startLoginRequest,
    });
    if (start.status !== 200) return { ok: false, status: start.status };
    const finished = opaque.client.finishLogin({
      clientLoginState,
      loginResponse: String(start.body.loginResponse),
      password,
    });
    // A wrong password fails on the client already; send a garbage proof so the server is tested too.
    const finishLoginRequest = finished?.finishLoginRequest ?? Buffer.alloc(64, 7).toString('base64url');
    const finish = await http(`${finishUrl}${ROUTES.loginFinish}`, 'POST', {
      loginId: start.body.loginId,
      finishLoginRequest,
    });
    if (finish.status !== 200) return { ok: false, status: finish.status };
    return { ok: true, ticket: finish.body.ticket as Uint8Array, backup: finish.body.backup as Uint8Array };
  }

  /** Adds a device (id = next), returning it; call {@link putDeviceList} to publish. */
  async addDevice(): Promise<DeviceKeys> {
    const id = Math.max(0, ...this.devices.map((d) => d.deviceId)) + 1;
    const d = await generateDeviceKeys(provider, id);
    this.devices.push(d);
    return d;
  }

  /** Adds device `deviceId` over HTTP with `ticket` and `list`; returns status and body. */
  async postDevice(baseUrl: string, ticket: Uint8Array, list: Uint8Array, deviceId: number) {
    return http(`${baseUrl}${ROUTES.devices}`, 'POST', {
      ticket,
      certificate: await this.certificate(deviceId),
      deviceList: list,
    });
  }

  /** The encoded certificate of device `id`, issued by `identity` (default: the account's). */
  async certificate(id: number, identity = this.identity): Promise<Uint8Array> {
    const d = this.device(id);
    const cert = await issueDeviceCertificate(provider, identity, {
      accountName: this.name,
      deviceId: d.deviceId,
      signingKey: d.signing.publicKey,
      dhKey: d.dh.publicKey,
      createdAt: Date.now(),
    });
    return encodeDeviceCertificate(cert);
  }

  /** A `keys.upload` frame body for device `id`: signed prekey, last-resort KEM, `n` one-time keys of each kind. */
  async keyUpload(id: number, n: number, startId = 1) {
    const d = this.device(id);
    const spk = await generateSignedPrekey(provider, d, 1, Date.now());
    const lastResort = await generateKemPrekey(provider, d, 1, { lastResort: true });
    const otks = await generateOneTimePrekeys(provider, startId, n);
    const kems = [];
    for (let i = 0; i < n; i++)
      kems.push(await generateKemPrekey(provider, d, startId + 100 + i, { lastResort: false }));
    return {
      signedPrekey: encodeSignedPrekey(spk.public),
      lastResortKemPrekey: encodeKemPrekey(lastResort.public),
      oneTimePrekeys: otks.map((k) => encodeOneTimePrekey(k.public)),
      kemPrekeys: kems.map((k) => encodeKemPrekey(k.public)),
    };
  }
}
