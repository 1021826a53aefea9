/**
 * What the page keeps about each group beyond the SDK's history (which holds messages only): the group's
 * changes as lines for its conversation ("alice added bob"), who has received and read each message (the
 * SDK's message status moves on with the first receipt; a group shows "read by N of M"), and the
 * warnings the SDK reported about it. The SDK's events are the source: the journal subscribes as soon as
 * the profile opens, before the client connects, so nothing it reports is missed.
 *
 * Lines and receipts are kept in the profile's store (encrypted at rest like everything in it), one record
 * per group in the `meta` table under `web.group:<id>`, written shortly after a change; the newest
 * {@link MAX_NOTES} lines and the receipts of the newest {@link MAX_RECEIPTS} messages are kept. Warnings
 * live for the session.
 */
import type { ClientStore, GroupEvent, GroupInfo, ReceiptEvent, SottoClient } from '@sotto/client';

/** A change of a group, as a line in its conversation. */
export interface GroupNote {
  /** Unique within the group. */
  readonly key: string;
  /** When this device learnt of it (ms since the epoch). */
  readonly at: number;
  readonly kind: GroupEvent['kind'];
  readonly by: string;
  readonly added?: readonly string[] | undefined;
  readonly removed?: readonly string[] | undefined;
  /** With `renamed` and `created`: the name then. */
  readonly name?: string | undefined;
  /** With `admins`, when the admins before the change were known: who became and stopped being one. */
  readonly granted?: readonly string[] | undefined;
  readonly revoked?: readonly string[] | undefined;
}

/** How far a message got with one member. */
export type ReceiptLevel = 'delivered' | 'read';
/** Account → how far the message got with it. */
export type MessageReceipts = Readonly<Record<string, ReceiptLevel>>;

/** Error codes the SDK reports about a group, shown in its conversation. */
export const GROUP_WARNING_CODES: ReadonlySet<string> = new Set([
  'MLS_INVALID',
  'GROUP_CREDENTIAL_INVALID',
  'GROUP_COMMIT_MISSING',
  'NOT_GROUP_ADMIN',
]);

/** A problem the SDK reported; `count` times since the person last dismissed it. */
export interface GroupWarning {
  readonly code: string;
  readonly at: number;
  readonly count: number;
}

/** What the journal holds for one group. */
export interface GroupJournalView {
  readonly notes: readonly GroupNote[];
  readonly receipts: ReadonlyMap<string, MessageReceipts>;
  readonly warnings: readonly GroupWarning[];
}

/** Lines kept per group. */
export const MAX_NOTES = 500;
/** Messages whose receipts are kept per group. */
export const MAX_RECEIPTS = 1_000;
/** Where warnings the SDK did not attribute to a group are kept. */
export const ANY_GROUP = '';
const WRITE_DELAY_MS = 250;
const KEY = 'web.group:';

interface Held {
  notes: readonly GroupNote[];
  receipts: ReadonlyMap<string, MessageReceipts>;
  warnings: readonly GroupWarning[];
  /** Name and admins after the last change seen, to tell what an `admins` change did. */
  last?: { readonly name: string; readonly admins: readonly string[] } | undefined;
}

const EMPTY: GroupJournalView = { notes: [], receipts: new Map(), warnings: [] };

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

const KINDS = new Set(['created', 'joined', 'members', 'renamed', 'admins', 'left', 'removed']);

/** One stored line, or undefined when it is not one (the record is ours, but read it as untrusted). */
function parseNote(v: unknown): GroupNote | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.key !== 'string' || typeof o.at !== 'number' || typeof o.by !== 'string') return undefined;
  if (typeof o.kind !== 'string' || !KINDS.has(o.kind)) return undefined;
  return {
    key: o.key,
    at: o.at,
    kind: o.kind as GroupEvent['kind'],
    by: o.by,
    added: strings(o.added),
    removed: strings(o.removed),
    name: typeof o.name === 'string' ? o.name : undefined,
    granted: strings(o.granted),
    revoked: strings(o.revoked),
  };
}

function parseReceipts(v: unknown): Map<string, MessageReceipts> {
  const out = new Map<string, MessageReceipts>();
  if (!Array.isArray(v)) return out;
  for (const entry of v) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    const by = entry[1];
    if (typeof by !== 'object' || by === null) continue;
    const r: Record<string, ReceiptLevel> = {};
    for (const [account, level] of Object.entries(by as Record<string, unknown>))
      if (level === 'delivered' || level === 'read') r[account] = level;
    out.set(entry[0], r);
  }
  return out;
}

function parseRecord(bytes: Uint8Array | undefined): Held {
  const held: Held = { notes: [], receipts: new Map(), warnings: [] };
  if (bytes === undefined) return held;
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (o.v !== 1) return held;
    held.notes = (Array.isArray(o.notes) ? o.notes : [])
      .map(parseNote)
      .filter((n): n is GroupNote => n !== undefined);
    held.receipts = parseReceipts(o.receipts);
    const last = o.last as Record<string, unknown> | undefined;
    const admins = strings(last?.admins);
    if (typeof last?.name === 'string' && admins !== undefined) held.last = { name: last.name, admins };
  } catch {
    // An unreadable record starts afresh: these are conveniences, not history.
  }
  return held;
}

function encodeRecord(h: Held): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ v: 1, notes: h.notes, receipts: [...h.receipts], last: h.last }),
  );
}

const without = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

/** The journal of every group of one profile. */
export class GroupJournal {
  private readonly held = new Map<string, Promise<Held>>();
  private readonly views = new Map<string, GroupJournalView>();
  private readonly listeners = new Set<(group: string) => void>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private offs: Array<() => void> = [];
  private counter = 0;

  constructor(
    private readonly client: SottoClient,
    private readonly store: ClientStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts following the client's events. */
  start(): void {
    if (this.offs.length > 0) return;
    this.offs = [
      this.client.on('group', (e) => this.enqueue(() => this.onGroup(e))),
      this.client.on('receipt', (e) => this.enqueue(() => this.onReceipt(e))),
      this.client.on('error', (e) => this.onError(e)),
    ];
  }

  /** Stops following the events and writes what is pending. */
  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    await this.queue;
    await this.flush();
  }

  /** Calls `listener` with a group's id whenever its view changes; returns the unsubscribe function. */
  subscribe(listener: (group: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The view of `group` if it is loaded, else the empty view (and it starts loading). */
  view(group: string): GroupJournalView {
    const v = this.views.get(group);
    if (v !== undefined) return v;
    void this.load(group).then(() => this.changed(group));
    return EMPTY;
  }

  /** Forgets the warnings of `group` (or of {@link ANY_GROUP}) until new ones come. */
  dismissWarnings(group: string): void {
    void this.load(group).then((h) => {
      h.warnings = [];
      this.changed(group);
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch(() => undefined);
  }

  private load(group: string): Promise<Held> {
    let h = this.held.get(group);
    if (h === undefined) {
      h = this.store.get('meta', `${KEY}${group}`).then(parseRecord, () => parseRecord(undefined));
      this.held.set(group, h);
    }
    return h;
  }

  private changed(group: string, persist = false): void {
    void this.load(group).then((h) => {
      this.views.set(group, { notes: h.notes, receipts: h.receipts, warnings: h.warnings });
      if (persist) this.schedule(group);
      for (const l of this.listeners) l(group);
    });
  }

  private schedule(group: string): void {
    this.dirty.add(group);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, WRITE_DELAY_MS);
  }

  private async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.dirty];
    this.dirty.clear();
    if (groups.length === 0) return;
    const ops = [];
    for (const g of groups) {
      const h = await this.load(g);
      ops.push({ op: 'put' as const, table: 'meta' as const, key: `${KEY}${g}`, value: encodeRecord(h) });
    }
    await this.store.write(ops).catch(() => undefined);
  }

  private async onGroup(e: GroupEvent): Promise<void> {
    const h = await this.load(e.id);
    const info: GroupInfo | undefined = await this.client.getGroup(e.id).catch(() => undefined);
    const before = h.last;
    const granted =
      info !== undefined && before !== undefined ? without(info.admins, before.admins) : undefined;
    const revoked =
      info !== undefined && before !== undefined ? without(before.admins, info.admins) : undefined;
    const note: GroupNote = {
      key: `${this.now()}-${++this.counter}`,
      at: this.now(),
      kind: e.kind,
      by: e.by,
      added: e.added,
      removed: e.removed,
      name: e.kind === 'renamed' || e.kind === 'created' || e.kind === 'joined' ? info?.name : undefined,
      ...(e.kind === 'admins' ? { granted, revoked } : {}),
    };
    h.notes = [...h.notes, note].slice(-MAX_NOTES);
    // One commit may give several events (members, then admins): each takes only its own part.
    if (info !== undefined) {
      const first = before === undefined || e.kind === 'created' || e.kind === 'joined';
      h.last = {
        name: first || e.kind === 'renamed' ? info.name : before.name,
        admins: first || e.kind === 'admins' ? info.admins : before.admins,
      };
    }
    this.changed(e.id, true);
  }

  private async onReceipt(e: ReceiptEvent): Promise<void> {
    if (!e.conversation.startsWith('#')) return;
    const h = await this.load(e.conversation);
    const next = new Map(h.receipts);
    let changed = false;
    for (const id of e.messageIds) {
      const now = next.get(id) ?? {};
      if (now[e.from.account] === 'read' || now[e.from.account] === e.kind) continue;
      next.delete(id); // re-inserted: the map's order is the order of last change, oldest first
      next.set(id, { ...now, [e.from.account]: e.kind });
      changed = true;
    }
    if (!changed) return;
    while (next.size > MAX_RECEIPTS) {
      const oldest = next.keys().next().value;
      if (oldest === undefined) break;
      next.delete(oldest);
    }
    h.receipts = next;
    this.changed(e.conversation, true);
  }

  private onError(e: { readonly code: string; readonly conversation?: string | undefined }): void {
    if (!GROUP_WARNING_CODES.has(e.code)) return;
    // The SDK names the group when it knows it (not for a Welcome refused before it is opened).
    const named = e.conversation;
    const group = named?.startsWith('#') ? named : ANY_GROUP;
    void this.load(group).then((h) => {
      const old = h.warnings.find((w) => w.code === e.code);
      const w: GroupWarning = { code: e.code, at: this.now(), count: (old?.count ?? 0) + 1 };
      h.warnings = [...h.warnings.filter((x) => x.code !== e.code), w];
      this.changed(group);
    });
  }
}
