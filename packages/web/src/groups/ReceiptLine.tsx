/**
 * Under an outgoing group message: how many of the members it was meant for have received and read it
 * ("Read by 1 of 2"), and on request who exactly.
 */
import { useId, useState } from 'react';
import type { MessageReceipts } from '../lib/group-journal.js';

/** Props of {@link ReceiptLine}. */
export interface ReceiptLineProps {
  /** The members it was meant for (everyone else in the group when it was sent). */
  readonly members: readonly string[];
  readonly receipts: MessageReceipts | undefined;
}

const STATE = { read: 'read', delivered: 'received, not read yet', none: 'not received yet' } as const;

/** The summary, and the details as a list that opens under it. */
export function ReceiptLine({ members, receipts }: ReceiptLineProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const total = members.length;
  if (total === 0) return null;
  const of = (a: string) => receipts?.[a] ?? 'none';
  const read = members.filter((a) => of(a) === 'read').length;
  const received = members.filter((a) => of(a) !== 'none').length;
  const summary =
    read > 0
      ? `Read by ${read} of ${total}`
      : received > 0
        ? `Delivered to ${received} of ${total}`
        : `Sent to ${total}`;
  return (
    <div className="receipts" data-testid="receipts">
      <button
        type="button"
        className="receipts-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {summary}
      </button>
      {open && (
        <ul id={id} className="receipts-detail" aria-label="Who received it">
          {members.map((a) => (
            <li key={a} data-receipt={of(a)}>
              {a}: {STATE[of(a)]}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
