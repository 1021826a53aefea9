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
import { KEY_PACKAGE_SUITES, keyPackageFrameSuite, replenishKeyPackages } from './groups/key-packages.js';
import { type GroupReceiveHooks, receiveGroupEnvelope } from './groups/receive.js';
import { reconcileAllGroups, reconcileGroup } from './groups/reconcile.js';
import { listGroupIds, loadGroup } from './groups/state-store.js';
import { replenishPrekeys } from './prekeys.js';
import { onContactEvent, onPresence, syncContacts } from './pushes.js';
import { receiveEnvelope } from './receive.js';

/** What the dispatcher needs from the client. */
export interface DispatchDeps {
  /** Runs a task in the client's queue; a failure is reported as an `error` event. */
  readonly run: (task: (ctx: Ctx) => Promise<void>) => Promise<void>;
  /** Reports an error as an `error` event, naming `conversation` (a group) when given. */
  readonly report: (err: unknown, conversation?: string) => void;
  /** Acknowledges an envelope (best effort). */
  readonly ack: (envelopeId: Uint8Array) => void;
  /** Asks for owed delivery receipts to be sent soon. */
  readonly receiptsSoon: () => void;
  /** Target size of the one-time prekey pools. */
  readonly prekeyBatch: number;
  /** Target size of each suite's one-time MLS KeyPackage pool. */
  readonly keyPackageBatch: number;
}

/** The hooks group operations use: acknowledgements, receipts, and follow-up tasks queued like any other. */
export function groupHooks(d: DispatchDeps): GroupReceiveHooks {
  const hooks: GroupReceiveHooks = {
    ack: d.ack,
    delivered: d.receiptsSoon,
    report: (err, hex) => d.report(err, hex === undefined ? undefined : `#${hex}`),
    proposals: (hex) => void d.run((ctx) => reconcileGroup(ctx, hex, hooks)),
    changed: (hex) => void d.run((ctx) => reconcileGroup(ctx, hex, hooks)),
  };
  return hooks;
}

/** Brings every group that has a device of `account` in line with its (just refreshed) device list. */
async function reconcileGroupsOf(ctx: Ctx, account: string, hooks: GroupReceiveHooks): Promise<void> {
  for (const hex of await listGroupIds(ctx)) {
    const g = await loadGroup(ctx, hex);
    const involved = account === ctx.profile.account || g?.record.members.some((m) => m.account === account);
    if (g?.record.status === 'active' && involved) await reconcileGroup(ctx, hex, hooks);
  }
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
    // Without KeyPackages this device cannot be added to groups, but everything else works: not fatal.
    for (const suite of KEY_PACKAGE_SUITES) {
      await replenishKeyPackages(ctx, d.keyPackageBatch, suite).catch(d.report);
    }
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
  // Groups catch up with what they missed while offline (not awaited: connecting does not wait for it).
  void d.run((ctx) => reconcileAllGroups(ctx, ctx.groupHooks, true));
  d.receiptsSoon();
}

/** Routes one push to its module (queued; returns at once). */
export function routePush(f: ServerFrame, d: DispatchDeps): void {
  switch (f.t) {
    case 'envelope':
      if (f.group !== undefined) {
        void d.run((ctx) => receiveGroupEnvelope(ctx, f, ctx.groupHooks));
        return;
      }
      void d.run((ctx) =>
        receiveEnvelope(ctx, f, {
          ack: d.ack,
          delivered: d.receiptsSoon,
          announceName: () => {
            void d.run(announceDeviceName);
            // A new device of this account spoke for the first time (its KeyPackages are up): it joins
            // this account's groups.
            void d.run((ctx) => reconcileAllGroups(ctx, ctx.groupHooks));
          },
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
        await reconcileGroupsOf(ctx, f.account, ctx.groupHooks);
      });
      return;
    case 'mls.keys.low': {
      const suite = keyPackageFrameSuite(f);
      if (suite !== undefined)
        void d.run((ctx) => replenishKeyPackages(ctx, d.keyPackageBatch, suite, f.count));
      return;
    }
    case 'keys.low':
      void d.run((ctx) =>
        replenishPrekeys(replenishDeps(ctx, d.prekeyBatch), ctx.profile, { oneTime: f.oneTime, kem: f.kem }),
      );
      return;
    default:
      return;
  }
}
