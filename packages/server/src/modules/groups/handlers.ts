/**
 * The WebSocket handlers of the group and KeyPackage frames, merged into the router's table. Writes to
 * groups (create, commit, send) count against the device's send limit, claims against their own limit.
 */
import { ApiError } from '../../errors.js';
import type { RateLimit } from '../../shared/shared-state.js';
import type { Connection } from '../../ws/connection.js';
import type { Handlers } from '../../ws/router.js';
import type { GroupsService } from './groups.js';
import { suiteField, suiteOf } from './key-package-suite.js';
import type { KeyPackageService } from './key-packages.js';

/** What the handlers need. */
export interface GroupHandlerDeps {
  readonly groups: GroupsService;
  readonly keyPackages: KeyPackageService;
  /** Sends per device (shared with 1:1 `send`). */
  readonly sendLimit: RateLimit;
  /** `mls.keys.claim` per requesting device. */
  readonly claimLimit: RateLimit;
}

async function take(limit: RateLimit, conn: Connection): Promise<void> {
  const now = limit.takeNow?.(conn.deviceKey);
  if (now === false || (now === undefined && !(await limit.take(conn.deviceKey)))) {
    throw new ApiError('RATE_LIMITED');
  }
}

/** The handlers of `mls.keys.*` and `groups.*`. */
export function createGroupHandlers(deps: GroupHandlerDeps): Handlers {
  const { groups, keyPackages } = deps;
  return {
    'mls.keys.upload': async (conn, device, f) => {
      await keyPackages.upload(device, suiteOf(f), f.keyPackages, f.lastResort);
      conn.send({ t: 'ok', id: f.id });
    },
    'mls.keys.count': async (conn, device, f) => {
      const suite = suiteOf(f);
      const { count, lastResort } = await keyPackages.count(device, suite);
      conn.send({ t: 'mls.keys.count.result', id: f.id, ...suiteField(suite), count, lastResort });
    },
    'mls.keys.claim': async (conn, device, f) => {
      await take(deps.claimLimit, conn);
      const suite = suiteOf(f);
      const claimed = await keyPackages.claim(device, f.devices, suite);
      conn.send({ t: 'mls.keys.claim.result', id: f.id, ...suiteField(suite), keyPackages: claimed });
    },
    'groups.create': async (conn, device, f) => {
      await take(deps.sendLimit, conn);
      await groups.create(device, f.groupId, f.suite);
      conn.send({ t: 'ok', id: f.id });
    },
    'groups.commit': async (conn, device, f) => {
      await take(deps.sendLimit, conn);
      conn.send(await groups.commit(device, f));
    },
    'groups.send': async (conn, device, f) => {
      await take(deps.sendLimit, conn);
      conn.send(await groups.send(device, f));
    },
    'groups.commits': async (conn, device, f) => {
      conn.send(await groups.commits(device, f));
    },
    'groups.leave': async (conn, device, f) => {
      await groups.leave(device, f.groupId);
      conn.send({ t: 'ok', id: f.id });
    },
  };
}
