/**
 * Envelope ids: 16 random bytes each, cut from a pool that `crypto.getRandomValues` refills, so an id
 * costs a copy rather than a call into the CSPRNG. Ids are public routing handles, not secrets.
 */
import { ENVELOPE_ID_BYTES } from '@sotto/protocol';

const POOL_BYTES = 4096;

/** A source of fresh envelope ids. */
export class EnvelopeIds {
  private readonly pool = new Uint8Array(POOL_BYTES);
  private offset = POOL_BYTES;

  /** A new random id (a fresh array, never shared with another id). */
  next(): Uint8Array {
    if (this.offset + ENVELOPE_ID_BYTES > POOL_BYTES) {
      crypto.getRandomValues(this.pool);
      this.offset = 0;
    }
    const id = this.pool.slice(this.offset, this.offset + ENVELOPE_ID_BYTES);
    this.offset += ENVELOPE_ID_BYTES;
    return id;
  }
}
