/**
 * The stable JSON shapes of what `receive`, `chat` and `history` print, and their human one-liners.
 * Every stream record has `type`; message records have `from`, `device`, `text`, `sentAt` (ms since the
 * epoch, the sender's clock). Documented in `sotto help receive`. Human lines show every name and text
 * through visible.ts: escaped controls, and a message's continuation lines indented under its first.
 */
import type {
  ContactEvent,
  DevicesChangedEvent,
  IdentityChangedEvent,
  Message,
  PresenceEvent,
  ReceiptEvent,
  TypingEvent,
} from '@sotto/client';
import { visibleLine as v, visibleText } from './visible.js';

/** How far a message's continuation lines are indented: past `[HH:MM] `, so none starts a record. */
export const CONTINUATION = ' '.repeat(8);

/** A printable record: the JSON object and the human line. */
export interface Rendered {
  readonly json: { readonly type: string } & Record<string, unknown>;
  readonly line: string;
}

/** `HH:MM` of a timestamp, local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A message, incoming or outgoing (also sent by one's own other device). */
export function renderMessage(m: Message): Rendered {
  const arrow = m.direction === 'in' ? v(m.from.account) : `me → ${v(m.conversation)}`;
  const failed = m.status === 'failed' && m.error !== undefined ? `: ${v(m.error)}` : '';
  const status = m.direction === 'out' ? `  (${m.status}${failed})` : '';
  return {
    json: {
      type: 'message',
      id: m.id,
      conversation: m.conversation,
      direction: m.direction,
      from: m.from.account,
      device: m.from.deviceId,
      text: m.text,
      sentAt: m.sentAt,
      seq: m.seq,
      receivedAt: m.receivedAt,
      status: m.status,
      ...(m.error === undefined ? {} : { error: m.error }),
    },
    line: `[${clock(m.sentAt)}] ${arrow}: ${visibleText(m.text, CONTINUATION)}${status}`,
  };
}

/** A delivery or read receipt. */
export function renderReceipt(r: ReceiptEvent): Rendered {
  return {
    json: {
      type: 'receipt',
      kind: r.kind,
      conversation: r.conversation,
      from: r.from.account,
      device: r.from.deviceId,
      messageIds: [...r.messageIds],
    },
    line: `✓ ${r.kind} by ${v(r.from.account)} (device ${r.from.deviceId}): ${r.messageIds.length} message(s)`,
  };
}

/** A presence change. */
export function renderPresence(p: PresenceEvent): Rendered {
  const text = p.text === undefined || p.text === '' ? '' : ` "${v(p.text)}"`;
  return {
    json: {
      type: 'presence',
      from: p.account,
      state: p.state,
      ...(p.text === undefined ? {} : { text: p.text }),
      ...(p.lastSeen === undefined ? {} : { lastSeen: p.lastSeen }),
    },
    line: `• ${v(p.account)} is ${v(p.state)}${text}`,
  };
}

/** A typing indicator. */
export function renderTyping(t: TypingEvent): Rendered {
  return {
    json: { type: 'typing', from: t.account, device: t.deviceId, typing: t.typing },
    line: t.typing ? `… ${v(t.account)} is typing` : `… ${v(t.account)} stopped typing`,
  };
}

/** A contact relationship change. */
export function renderContact(c: ContactEvent): Rendered {
  return {
    json: { type: 'contact', kind: c.kind, from: c.account, state: c.state },
    line: `• contact ${v(c.account)}: ${v(c.kind)} (now ${v(c.state)})`,
  };
}

/** A changed identity key. */
export function renderIdentityChanged(e: IdentityChangedEvent): Rendered {
  const what = e.verified
    ? `sending is blocked until you compare the safety number and run "sotto verify ${v(e.account)} --acknowledge"`
    : `compare the safety number ("sotto safety-number ${v(e.account)}")`;
  return {
    json: { type: 'identity-changed', from: e.account, verified: e.verified },
    line: `! ${v(e.account)}'s identity key changed: ${what}`,
  };
}

/** A contact's (or one's own) device list changed. */
export function renderDevicesChanged(e: DevicesChangedEvent): Rendered {
  return {
    json: { type: 'devices-changed', from: e.account, added: [...e.added], removed: [...e.removed] },
    line: `• ${v(e.account)}'s devices changed: +[${e.added.join(', ')}] -[${e.removed.join(', ')}]`,
  };
}
