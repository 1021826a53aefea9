/**
 * What happens after each authentication and for each push: prekeys topped up, contacts and device lists
 * re-verified (a key or device the server swapped meanwhile shows up now), owed receipts sent; envelopes,
 * contact events, presence, device-list changes and low-prekey warnings routed to their modules. Every
 * task runs in the client's queue.
 */

import type { ServerFrame } from '@sotto/protocol';
import { listContactRecords } from './contacts.js';
import type { Ctx } from './context.js';
import { announceDeviceName, loadDeviceNames } from './device-names.js';
import { refreshDevices } from './directory.js';
import { pruneProcessed } from './envelopes.js';
import { replenishPrekeys } from './prekeys.js';
import { onContactEvent, onPresence, syncContacts } from './pushes.js';
import { receiveEnvelope } from './receive.js';

/** What the dispatcher needs from the client. */
export interface DispatchDeps {
  /** Runs a task in the client's queue; a failure is reported as an `error` event. */
  readonly run: (task: (ctx: Ctx) => Promise<void>) => Promise<void>;
  /** Reports an error as an `error` event. */
  readonly report: (err: unknown) => void;
  /** Acknowledges an envelope (best effort). */
  readonly ack: (envelopeId: Uint8Array) => void;
  /** Asks for owed delivery receipts to be sent soon. */
  readonly receiptsSoon: () => void;
  /** Target size of the one-time prekey pools. */
  readonly prekeyBatch: number;
}

function replenishDeps(ctx: Ctx, batch: number) {
  return { p: ctx.p, store: ctx.store, now: ctx.clock.now(), batch, request: ctx.request };
}

/** Runs after each successful authentication. Never throws (failures are reported). */
export async function afterAuthentication(d: DispatchDeps): Promise<void> {
  // One task, queued before any envelope of this connection: device lists are current (a device revoked
  // while we were offline is off the list, its sessions gone) before the mailbox is read.
  await d.run(async (ctx) => {
    await replenishPrekeys(replenishDeps(ctx, d.prekeyBatch), ctx.profile);
    await syncContacts(ctx);
    await refreshDevices(ctx, ctx.profile.account);
    for (const [account, r] of await listContactRecords(ctx.store)) {
      if (r.state === 'accepted') await refreshDevices(ctx, account).catch(d.report);
    }
    await pruneProcessed(ctx.store, ctx.clock.now());
  });
  await d.run(async (ctx) => {
    if (!(await loadDeviceNames(ctx.store)).announced) await announceDeviceName(ctx);
  });
  d.receiptsSoon();
}

/** Routes one push to its module (queued; returns at once). */
export function routePush(f: ServerFrame, d: DispatchDeps): void {
  switch (f.t) {
    case 'envelope':
      void d.run((ctx) =>
        receiveEnvelope(ctx, f, {
          ack: d.ack,
          delivered: d.receiptsSoon,
          announceName: () => void d.run(announceDeviceName),
        }),
      );
      return;
    case 'contacts.event':
      void d.run((ctx) => onContactEvent(ctx, f));
      return;
    case 'presence':
      void d.run((ctx) => onPresence(ctx, f));
      return;
    case 'devices.changed':
      void d.run(async (ctx) => {
        await refreshDevices(ctx, f.account);
      });
      return;
    case 'keys.low':
      void d.run((ctx) =>
        replenishPrekeys(replenishDeps(ctx, d.prekeyBatch), ctx.profile, { oneTime: f.oneTime, kem: f.kem }),
      );
      return;
    default:
      return;
  }
}
