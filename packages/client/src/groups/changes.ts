/**
 * The `group` events a change of a group's summary amounts to: members (accounts that joined or left,
 * or only devices), a new name, new admins; `removed` when this device was removed.
 */

import type { GroupEvent } from '../types.js';
import type { GroupRecord } from './record.js';

/** The events from `before` to `after`, made by `by` (an account). */
export function groupEvents(id: string, before: GroupRecord, after: GroupRecord, by: string): GroupEvent[] {
  if (after.status === 'removed' && before.status === 'active') return [{ id, kind: 'removed', by }];
  const out: GroupEvent[] = [];
  const accounts = (r: GroupRecord) => new Set(r.members.map((m) => m.account));
  const devices = (r: GroupRecord) => new Set(r.members.map((m) => `${m.account}/${m.deviceId}`));
  const [a0, a1, d0, d1] = [accounts(before), accounts(after), devices(before), devices(after)];
  const added = [...a1].filter((a) => !a0.has(a)).sort();
  const removed = [...a0].filter((a) => !a1.has(a)).sort();
  const devicesChanged = d0.size !== d1.size || [...d1].some((d) => !d0.has(d));
  if (added.length > 0 || removed.length > 0 || devicesChanged) {
    out.push({
      id,
      kind: 'members',
      by,
      ...(added.length > 0 ? { added } : {}),
      ...(removed.length > 0 ? { removed } : {}),
    });
  }
  if (after.name !== before.name) out.push({ id, kind: 'renamed', by });
  if (after.admins.join() !== before.admins.join()) out.push({ id, kind: 'admins', by });
  return out;
}
