/**
 * The part of a conversation the page holds: a contiguous run of messages in the SDK's history order
 * (sender time, then sequence number, then sender, as the SDK's store key), merged from pages of history
 * and from live events without reading the history again.
 */
import type { Message } from '@sotto/client';

/** The SDK's history order: negative when `a` comes before `b`. */
export function compareMessages(a: Message, b: Message): number {
  return (
    a.sentAt - b.sentAt ||
    a.seq - b.seq ||
    (a.from.account < b.from.account ? -1 : a.from.account > b.from.account ? 1 : 0) ||
    a.from.deviceId - b.from.deviceId
  );
}

/**
 * `list` (in order) with `incoming` added: a message whose id is there already replaces it, the others go
 * to their place in the order. Returns `list` itself when nothing changed. Appending at the end, the
 * common case, costs no sort.
 */
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (incoming.length === 0) return list;
  const byId = new Map(incoming.map((m) => [m.id, m]));
  let changed = false;
  const out: Message[] = list.map((m) => {
    const update = byId.get(m.id);
    if (update === undefined) return m;
    byId.delete(m.id);
    if (update !== m) changed = true;
    return update;
  });
  if (byId.size === 0) return changed ? out : list;
  const added = [...byId.values()].sort(compareMessages);
  const last = out[out.length - 1];
  const first = added[0];
  if (last === undefined || (first !== undefined && compareMessages(last, first) < 0))
    return out.concat(added);
  return out.concat(added).sort(compareMessages);
}

/** True when `m` belongs inside or after the run that starts at `oldest` (undefined: the run is empty). */
export function withinWindow(m: Message, oldest: Message | undefined): boolean {
  return oldest === undefined || compareMessages(m, oldest) >= 0;
}
