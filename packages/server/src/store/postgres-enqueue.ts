/**
 * `PostgresStore.enqueue` in one round trip: a server-side function (`sotto_enqueue_v1`) that takes every
 * mailbox lock of a batch, checks the caps and inserts every envelope with one multi-row INSERT, called
 * as one autocommit statement (a named prepared statement). The statement is its own transaction, so it
 * resolves only once PostgreSQL committed it (`synchronous_commit = on`): resolved still means durable.
 *
 * Ordering across nodes (docs/decisions/0025): `seq` comes from one identity sequence shared by every
 * node, and each writer of a mailbox holds that mailbox's transaction-scoped advisory lock from before it
 * draws its first `seq` until after its commit is visible (PostgreSQL marks a transaction committed in the
 * proc array before it releases its locks). So within one mailbox a later `seq` always belongs to a later
 * commit: a reader that saw `seq` S has seen (or will never see, because it was acknowledged and deleted)
 * every envelope below S, and resuming after S skips nothing. Locks are taken in sorted name order, by
 * every writer (1:1 sends here, group fan-out in `postgres-groups.ts`), so no two writers wait in a cycle.
 *
 * The function also returns, per envelope, the highest `seq` its mailbox held before it (`prev`, 0 when
 * empty): a delivery path that has already handed on everything up to `prev` may hand this envelope on
 * without reading the mailbox back (see `MailSignal.prev`).
 *
 * The function is part of the code, not of the schema's history: it is (re)created at every start under
 * the migration lock, and its name carries a version, so nodes of an older release keep theirs while a
 * new release installs its own beside it.
 */
import type pg from 'pg';
import { int, type Row } from './sqlite-rows.js';
import type { DeviceAddress, NewEnvelope } from './store.js';

/** The function's name (bump the suffix when its signature or meaning changes). */
export const ENQUEUE_FUNCTION = 'sotto_enqueue_v1';

/**
 * Arguments: the distinct mailboxes' lock names (sorted), accounts and device ids, in that order; per
 * envelope its mailbox's 1-based index into those, id, sender, sender device, body and receive time; the
 * cap. Ids and bodies travel as one byte string each with 1-based offsets and lengths (binary, rather
 * than a text array of hex strings, which costs the node far more to build). Returns `full_at` (the 0-based index of the first envelope that does not fit; nothing stored) or
 * `seqs` and `prevs`, per envelope in input order.
 */
const CREATE = `
CREATE OR REPLACE FUNCTION ${ENQUEUE_FUNCTION}(
  locks text[], m_accounts text[], m_devices bigint[], mailbox int[], ids bytea, id_at int[],
  id_len int[], senders text[], sender_devices bigint[], bodies bytea, body_at int[], body_len int[],
  received bigint[], max_per bigint,
  OUT full_at int, OUT seqs bigint[], OUT prevs bigint[])
LANGUAGE plpgsql AS $fn$
DECLARE
  sizes bigint[];
  lasts bigint[];
  i int;
  m int;
BEGIN
  -- In sorted order (the caller sorts): see postgres-enqueue.ts.
  FOR i IN 1 .. coalesce(array_length(locks, 1), 0) LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(locks[i], 0));
  END LOOP;
  -- A statement after the locks: its snapshot sees every earlier writer's commit (READ COMMITTED).
  SELECT array_agg(s.n ORDER BY u.i), array_agg(s.last ORDER BY u.i) INTO sizes, lasts
    FROM unnest(m_accounts, m_devices) WITH ORDINALITY AS u(a, d, i),
    LATERAL (SELECT COUNT(*) AS n, COALESCE(MAX(e.seq), 0) AS last FROM envelopes e
             WHERE e.recipient_account = u.a AND e.recipient_device = u.d) s;
  FOR i IN 1 .. coalesce(array_length(mailbox, 1), 0) LOOP
    m := mailbox[i];
    IF sizes[m] >= max_per THEN
      full_at := i - 1;
      RETURN;
    END IF;
    sizes[m] := sizes[m] + 1;
  END LOOP;
  -- One multi-row INSERT: identity values are drawn in the SELECT's order, so seqs ascend with the input.
  WITH ins AS (
    INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
    SELECT m_accounts[u.m], m_devices[u.m], substring(ids FROM u.ia FOR u.il), u.s, u.sd,
           substring(bodies FROM u.ba FOR u.bl), u.r
      FROM unnest(mailbox, id_at, id_len, senders, sender_devices, body_at, body_len, received)
           WITH ORDINALITY AS u(m, ia, il, s, sd, ba, bl, r, i)
      ORDER BY u.i
    RETURNING seq)
  SELECT array_agg(seq ORDER BY seq) INTO seqs FROM ins;
  prevs := array_fill(0::bigint, ARRAY[coalesce(array_length(mailbox, 1), 0)]);
  FOR i IN 1 .. coalesce(array_length(mailbox, 1), 0) LOOP
    m := mailbox[i];
    prevs[i] := lasts[m];
    lasts[m] := seqs[i];
  END LOOP;
END
$fn$`;

/** (Re)creates the function; run under the migration lock, after the migrations. */
export async function installEnqueue(client: pg.PoolClient): Promise<void> {
  await client.query(CREATE);
}

/** Byte strings as one, with each one's 1-based offset and length. */
function packed(parts: readonly Uint8Array[]): { bytes: Buffer; at: number[]; len: number[] } {
  const at: number[] = [];
  const len: number[] = [];
  let total = 0;
  for (const p of parts) {
    at.push(total + 1);
    len.push(p.byteLength);
    total += p.byteLength;
  }
  const bytes = Buffer.allocUnsafe(total);
  parts.forEach((p, i) => {
    bytes.set(p, (at[i] ?? 1) - 1);
  });
  return { bytes, at, len };
}
/** A mailbox's lock name (JSON: unambiguous for any account name); the group records use the same. */
export const mailboxLock = (d: DeviceAddress): string => JSON.stringify(['mailbox', d.account, d.deviceId]);

/** The call, as a named prepared statement (parsed and planned once per connection). */
const CALL = {
  name: 'sotto_enqueue',
  text: `SELECT full_at, seqs, prevs FROM ${ENQUEUE_FUNCTION}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
};

/** What one call stored. */
export type EnqueueCall =
  | { readonly full: DeviceAddress }
  | { readonly seqs: readonly number[]; readonly prevs: readonly number[] };

/** Stores `envelopes` in one statement (one transaction); nothing when a mailbox would exceed `maxPerMailbox`. */
export async function callEnqueue(
  q: Pick<pg.Pool, 'query'>,
  envelopes: readonly NewEnvelope[],
  maxPerMailbox: number,
): Promise<EnqueueCall> {
  const byLock = new Map<string, DeviceAddress>();
  for (const e of envelopes) byLock.set(mailboxLock(e.recipient), e.recipient);
  const locks = [...byLock.keys()].sort();
  const index = new Map(locks.map((name, i) => [name, i + 1]));
  const mailboxes = locks.map((name) => byLock.get(name) as DeviceAddress);
  const ids = packed(envelopes.map((e) => e.id));
  const bodies = packed(envelopes.map((e) => e.body));
  const res = await q.query({
    ...CALL,
    values: [
      locks,
      mailboxes.map((d) => d.account),
      mailboxes.map((d) => d.deviceId),
      envelopes.map((e) => index.get(mailboxLock(e.recipient))),
      ids.bytes,
      ids.at,
      ids.len,
      envelopes.map((e) => e.sender.account),
      envelopes.map((e) => e.sender.deviceId),
      bodies.bytes,
      bodies.at,
      bodies.len,
      envelopes.map((e) => e.receivedAt),
      maxPerMailbox,
    ],
  });
  const row = res.rows[0] as Row | undefined;
  if (row?.full_at !== null && row?.full_at !== undefined) {
    const e = envelopes[int(row.full_at)];
    if (e === undefined) throw new Error('enqueue: bad full_at');
    return { full: e.recipient };
  }
  const seqs = ((row?.seqs ?? []) as unknown[]).map(int);
  const prevs = ((row?.prevs ?? []) as unknown[]).map(int);
  if (seqs.length !== envelopes.length) throw new Error('enqueue: seqs do not match the envelopes');
  return { seqs, prevs };
}
