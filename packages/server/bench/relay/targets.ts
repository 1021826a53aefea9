/** The two servers the benchmark loads: the Sotto relay (authenticated devices) and the bare floor. */
import { decodeCbor } from '@sotto/protocol';
import { connectBare, connectDevice, encode } from './client.js';
import type { PairLink, Target } from './load.js';
import type { Seeded } from './seed.js';

const seqOf = (body: Uint8Array) => new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0);

/** The send frame of message `seq` of a pair: the same bytes go to the relay and to the floor. */
const sendFrame = (to: string, seq: number, body: Uint8Array) =>
  encode({ t: 'send', id: seq, to, messages: [{ account: to, deviceId: 1, body }] });

/**
 * The relay: each pair is a sender account and a receiver account (accepted contacts), one device each.
 * With several nodes, connections go to them round-robin (sender of pair i to node 2i mod N, its receiver
 * to node 2i+1 mod N), so every message crosses from one node to another.
 * The receiver acknowledges what it got, batching the ids that arrived in one turn of the event loop
 * into one `ack` (as a client storing a burst of envelopes in one transaction would).
 */
export function sottoTarget(wsUrls: readonly string[], pids: readonly number[], seeded: Seeded): Target {
  const node = (conn: number) => {
    const url = wsUrls[conn % wsUrls.length];
    if (url === undefined) throw new Error('no node');
    return url;
  };
  return {
    name: 'relay',
    pids,
    openPair: async (i, delivered, failed): Promise<PairLink> => {
      const p = seeded.pairs[i];
      if (p === undefined) throw new Error(`no pair ${i}`);
      let acks: Uint8Array[] = [];
      let flushing = false;
      const receiver = await connectDevice(node(2 * i + 1), p.receiver, 1, (f) => {
        if (f.t !== 'envelope') return;
        acks.push(f.envelopeId);
        if (!flushing) {
          flushing = true;
          setImmediate(() => {
            flushing = false;
            for (let k = 0; k < acks.length; k += 256) {
              receiver.send(encode({ t: 'ack', envelopeIds: acks.slice(k, k + 256) }));
            }
            acks = [];
          });
        }
        delivered(seqOf(f.body));
      });
      const sender = await connectDevice(node(2 * i), p.sender, 1, (f) => {
        if (f.t === 'error') failed(f.code);
      });
      return {
        sockets: [sender, receiver],
        send: (seq, body) => sender.send(sendFrame(p.receiver.name, seq, body)),
      };
    },
    openIdle: (i) => {
      const a = seeded.idle[Math.floor(i / 16)];
      if (a === undefined) throw new Error(`no idle account for connection ${i}`);
      return connectDevice(node(i), a, (i % 16) + 1);
    },
  };
}

/** The floor: the same frames over bare sockets, forwarded byte for byte to the pair's receiver. */
export function floorTarget(port: number, pid: number): Target {
  const base = `ws://127.0.0.1:${port}/`;
  return {
    name: 'floor',
    pids: [pid],
    openPair: async (i, delivered): Promise<PairLink> => {
      const receiver = await connectBare(`${base}?pair=${i}&role=r`, (data) => {
        const f = decodeCbor(new Uint8Array(data), { maxDepth: 8 }) as { messages: { body: Uint8Array }[] };
        const body = f.messages[0]?.body;
        if (body !== undefined) delivered(seqOf(body));
      });
      const sender = await connectBare(`${base}?pair=${i}&role=s`);
      const to = `receiver${i}`;
      return { sockets: [sender, receiver], send: (seq, body) => sender.send(sendFrame(to, seq, body)) };
    },
    openIdle: () => connectBare(`${base}?idle`),
  };
}
