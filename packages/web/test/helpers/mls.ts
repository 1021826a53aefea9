/**
 * A hostile group member for the tests: sends the group a message that is a well-formed MLS
 * PrivateMessage (RFC 9420 §6.3.2: the group's id, the current epoch, application content) whose sender
 * data and ciphertext are random bytes, so the server routes it like any group message and every member
 * must refuse it (the AEAD cannot open) with its state unchanged. It goes out through the member's own
 * authenticated connection, by the SDK's private request method: the SDK itself never sends such a thing.
 */
import { randomBytes } from 'node:crypto';
import type { SottoClient } from '@sotto/client';

/** An MLS variable-length vector (RFC 9420 §2.1.2): a 1- or 2-byte varint length, then the bytes. */
function vector(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 0x4000) throw new Error('too long for this helper');
  const head = bytes.length < 0x40 ? [bytes.length] : [0x40 | (bytes.length >> 8), bytes.length & 0xff];
  return Uint8Array.from([...head, ...bytes]);
}

/** The bytes of a forged application message of `epoch` for the group `groupId` (16 bytes). */
export function forgedPrivateMessage(groupId: Uint8Array, epoch: number): Uint8Array {
  const epochBytes = new Uint8Array(8);
  new DataView(epochBytes.buffer).setBigUint64(0, BigInt(epoch));
  return Uint8Array.from([
    ...[0x00, 0x01], // version mls10
    ...[0x00, 0x02], // wire format mls_private_message
    ...vector(groupId),
    ...epochBytes,
    0x01, // content type application
    ...vector(new Uint8Array(0)), // authenticated data
    ...vector(randomBytes(28)), // encrypted sender data (12 bytes + a 16-byte tag)
    ...vector(randomBytes(96)), // ciphertext
  ]);
}

interface RawRequester {
  request(frame: {
    t: 'groups.send';
    groupId: Uint8Array;
    epoch: number;
    body: Uint8Array;
  }): Promise<unknown>;
}

/** Has `member` send a forged message to group `id` (`#<hex>`) at `epoch`; resolves once the server took it. */
export async function forgedGroupMessage(member: SottoClient, id: string, epoch: number): Promise<void> {
  const groupId = Uint8Array.from(Buffer.from(id.slice(1), 'hex'));
  await (member as unknown as RawRequester).request({
    t: 'groups.send',
    groupId,
    epoch,
    body: forgedPrivateMessage(groupId, epoch),
  });
}
