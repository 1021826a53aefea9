/** The groups module's metrics, registered on the server's registry. */
import { Counter, Gauge } from '../metrics/registry.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

/** Counters of group activity. */
export interface GroupMetrics {
  readonly groupsCreated: Counter;
  readonly commits: Counter;
  readonly messages: Counter;
  /** Group envelopes stored (one per recipient device of a commit, Welcome or message). */
  readonly envelopes: Counter;
  /** Recipient devices skipped because their mailbox was full. */
  readonly skipped: Counter;
  readonly keyPackagesClaimed: Counter;
  readonly bodiesCollected: Counter;
}

/** The last known totals the gauges show (refreshed by the composition root). */
export interface GroupGaugeSources {
  groups(): number;
}

/** Registers the group metrics on `metrics.registry`. */
export function createGroupMetrics(metrics: ServerMetrics, sources: GroupGaugeSources): GroupMetrics {
  const r = metrics.registry;
  r.register(new Gauge('sotto_groups', 'Groups stored (last known).', sources.groups));
  return {
    groupsCreated: r.register(new Counter('sotto_groups_created_total', 'Groups created.')),
    commits: r.register(new Counter('sotto_group_commits_total', 'Group commits accepted.')),
    messages: r.register(new Counter('sotto_group_messages_total', 'Group messages accepted.')),
    envelopes: r.register(
      new Counter('sotto_group_envelopes_stored_total', 'Group envelopes stored (one per recipient device).'),
    ),
    skipped: r.register(
      new Counter('sotto_group_envelopes_skipped_total', 'Group recipients skipped: their mailbox was full.'),
    ),
    keyPackagesClaimed: r.register(
      new Counter('sotto_key_packages_claimed_total', 'MLS KeyPackages handed out.'),
    ),
    bodiesCollected: r.register(
      new Counter(
        'sotto_group_bodies_collected_total',
        'Group bodies deleted once no envelope pointed at them.',
      ),
    ),
  };
}
