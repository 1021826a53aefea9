/**
 * The envelopes a connection was sent and has not acknowledged yet, by id: an `ack` names envelope ids,
 * the store deletes by `seq` (its rows carry no index on id). An ack of an id this connection was never
 * sent (or already acknowledged) matches nothing and is ignored; the envelope stays stored and is sent
 * again on the next connection, where it can be acknowledged (at-least-once, docs/protocol.md §3).
 */
import type { EnvelopeRef } from '../../store/store.js';

/** Entries are filed by the first 30 bits of the (random) id; ids that share them share a slot. */
type Slot = EnvelopeRef | EnvelopeRef[];

function slotOf(id: Uint8Array): number {
  return (((id[0] ?? 0) << 22) | ((id[1] ?? 0) << 14) | ((id[2] ?? 0) << 6) | ((id[3] ?? 0) >>> 2)) >>> 0;
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One connection's unacknowledged envelopes. */
export class DeliveredEnvelopes {
  private readonly slots = new Map<number, Slot>();

  /** Envelopes sent and not acknowledged. */
  get size(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += Array.isArray(slot) ? slot.length : 1;
    return n;
  }

  /** Records that envelope `id` (mailbox position `seq`) was sent on this connection. */
  add(seq: number, id: Uint8Array): void {
    const key = slotOf(id);
    const slot = this.slots.get(key);
    const ref = { seq, id };
    if (slot === undefined) this.slots.set(key, ref);
    else if (Array.isArray(slot)) slot.push(ref);
    else this.slots.set(key, [slot, ref]);
  }

  /** Removes and returns the envelopes among `ids` that were sent here; other ids are skipped. */
  take(ids: readonly Uint8Array[]): EnvelopeRef[] {
    const out: EnvelopeRef[] = [];
    for (const id of ids) {
      const key = slotOf(id);
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      if (!Array.isArray(slot)) {
        if (sameId(slot.id, id)) {
          out.push(slot);
          this.slots.delete(key);
        }
        continue;
      }
      const i = slot.findIndex((ref) => sameId(ref.id, id));
      if (i < 0) continue;
      out.push(slot[i] as EnvelopeRef);
      slot.splice(i, 1);
      if (slot.length === 1) this.slots.set(key, slot[0] as EnvelopeRef);
    }
    return out;
  }
}
