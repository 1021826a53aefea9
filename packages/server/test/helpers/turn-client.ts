/**
 * A minimal TURN client over UDP for tests (RFC 8656 Allocate with the long-term credential mechanism of
 * RFC 8489 §9.2): the first Allocate draws a 401 with REALM and NONCE, the second carries USERNAME, REALM,
 * NONCE and MESSAGE-INTEGRITY (HMAC-SHA1 under MD5(username:realm:password)). It tells whether a TURN
 * server accepts a credential, and with which error code it refuses one. Node built-ins only.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const MAGIC = 0x2112a442;
const ALLOCATE = 0x0003;
const ALLOCATE_OK = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const REFRESH = 0x0004;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  LIFETIME: 0x000d,
  REQUESTED_TRANSPORT: 0x0019,
} as const;

/** What an Allocate came to. */
export type AllocateOutcome =
  | { readonly ok: true; readonly relayed: { readonly address: string; readonly port: number } }
  | { readonly ok: false; readonly code: number; readonly reason: string };

interface Message {
  readonly type: number;
  readonly attrs: Map<number, Buffer>;
}

/** One attribute, padded to 4 bytes. */
function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** A message of `type` with `attrs`, and MESSAGE-INTEGRITY under `key` when given (RFC 8489 §14.5). */
function encode(type: number, tid: Buffer, attrs: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attrs);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt32BE(MAGIC, 4);
  tid.copy(head, 8);
  if (key === undefined) {
    head.writeUInt16BE(body.length, 2);
    return Buffer.concat([head, body]);
  }
  head.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key)
    .update(Buffer.concat([head, body]))
    .digest();
  return Buffer.concat([head, body, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
}

/** The message in `buf`, or undefined when it is not STUN. Hostile input: every length is checked. */
function decode(buf: Buffer): (Message & { tid: Buffer }) | undefined {
  if (buf.length < 20 || buf.readUInt32BE(4) !== MAGIC) return undefined;
  const len = buf.readUInt16BE(2);
  if (20 + len > buf.length) return undefined;
  const attrs = new Map<number, Buffer>();
  let at = 20;
  while (at + 4 <= 20 + len) {
    const t = buf.readUInt16BE(at);
    const l = buf.readUInt16BE(at + 2);
    if (at + 4 + l > 20 + len) return undefined;
    if (!attrs.has(t)) attrs.set(t, buf.subarray(at + 4, at + 4 + l));
    at += 4 + l + ((4 - (l % 4)) % 4);
  }
  return { type: buf.readUInt16BE(0), attrs, tid: buf.subarray(8, 20) };
}

/** Sends `msg` and resolves with the answer of the same transaction (retransmitting as RFC 8489 §6.2.1). */
function transact(sock: Socket, port: number, host: string, msg: Buffer): Promise<Message> {
  const tid = msg.subarray(8, 20);
  return new Promise((resolve, reject) => {
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const onMessage = (data: Buffer) => {
      const m = decode(data);
      if (m === undefined || !m.tid.equals(tid)) return;
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(m);
    };
    const send = () => {
      if (tries++ >= 7) {
        sock.off('message', onMessage);
        reject(new Error('the TURN server did not answer'));
        return;
      }
      sock.send(msg, port, host);
      timer = setTimeout(send, 500 * 2 ** Math.min(tries - 1, 3));
    };
    sock.on('message', onMessage);
    send();
  });
}

function errorOf(m: Message): { code: number; reason: string } {
  const v = m.attrs.get(ATTR.ERROR_CODE);
  if (v === undefined || v.length < 4) return { code: 0, reason: 'no ERROR-CODE' };
  return { code: (v[2] ?? 0) * 100 + (v[3] ?? 0), reason: v.subarray(4).toString('utf8') };
}

function xorAddress(v: Buffer): { address: string; port: number } {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = (v.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port };
}

/**
 * Asks the TURN server on UDP `port` of `host` (default 127.0.0.1) for a UDP relay with `username` and
 * `password`. Resolves with the relayed address, or with the error code the server answered (401 for a
 * credential it refuses); releases a granted allocation at once (Refresh with LIFETIME 0).
 */
export async function turnAllocate(
  port: number,
  username: string,
  password: string,
  host = '127.0.0.1',
): Promise<AllocateOutcome> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  try {
    const transport = attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]));
    const first = await transact(sock, port, host, encode(ALLOCATE, randomBytes(12), [transport]));
    if (first.type !== ALLOCATE_ERROR || errorOf(first).code !== 401) {
      throw new Error(`expected a 401 challenge, got type ${first.type.toString(16)}`);
    }
    const realm = first.attrs.get(ATTR.REALM);
    const nonce = first.attrs.get(ATTR.NONCE);
    if (realm === undefined || nonce === undefined) throw new Error('the challenge lacks REALM or NONCE');
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    const auth = [
      attr(ATTR.USERNAME, Buffer.from(username)),
      attr(ATTR.REALM, realm),
      attr(ATTR.NONCE, nonce),
    ];
    const second = await transact(
      sock,
      port,
      host,
      encode(ALLOCATE, randomBytes(12), [transport, ...auth], key),
    );
    if (second.type === ALLOCATE_OK) {
      const relayed = second.attrs.get(ATTR.XOR_RELAYED_ADDRESS);
      if (relayed === undefined || relayed.length < 8) throw new Error('no XOR-RELAYED-ADDRESS');
      const lifetime0 = attr(ATTR.LIFETIME, Buffer.alloc(4));
      await transact(sock, port, host, encode(REFRESH, randomBytes(12), [lifetime0, ...auth], key)).catch(
        () => undefined,
      );
      return { ok: true, relayed: xorAddress(relayed) };
    }
    if (second.type === ALLOCATE_ERROR) return { ok: false, ...errorOf(second) };
    throw new Error(`unexpected answer type ${second.type.toString(16)}`);
  } finally {
    sock.close();
  }
}
