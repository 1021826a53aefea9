/**
 * What the feature modules share once a profile is loaded: the injected world (provider, store, clock),
 * the event emitter, this device's profile and a way to make requests. Built by the client; passed down.
 */

import type { CryptoProvider } from '@sotto/crypto';
import type { ServerFrame } from '@sotto/protocol';
import type { CallSignal } from './calls/manager.js';
import type { DirectoryDeps } from './directory.js';
import type { TypedEmitter } from './events.js';
import type { GroupReceiveHooks } from './groups/receive.js';
import type { Profile } from './profile.js';
import type { ClientStore } from './store/store.js';
import type { Request } from './transport.js';
import type { ClientEvents, Clock } from './types.js';

/** The shared context of a loaded profile. */
export interface Ctx extends DirectoryDeps {
  readonly p: CryptoProvider;
  readonly store: ClientStore;
  readonly clock: Clock;
  readonly events: TypedEmitter<ClientEvents>;
  readonly profile: Profile;
  readonly self: { readonly account: string; readonly identityKey: Uint8Array };
  readonly request: (frame: Request) => Promise<ServerFrame>;
  /** True when received messages also enter the inbox (see `inbox.ts`). */
  readonly inbox: boolean;
  /** What group operations ask of the client (acks, follow-up tasks, reports). */
  readonly groupHooks: GroupReceiveHooks;
  /** Call signaling that arrived (after the envelope was stored and acknowledged). */
  readonly onCallSignal?: (signal: CallSignal) => void;
}
