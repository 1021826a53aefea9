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
import { type GroupTag, groupRef } from './group-directory.js';
import { formatSize } from './progress-format.js';
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

/** What became of a message's file in this run (`receive`, `download`). */
export interface FileOutcome {
  /** The file's state now. */
  readonly state: NonNullable<Message['file']>['state'];
  /** Where it was saved. */
  readonly savedTo?: string | undefined;
  /** Why it was not saved: a stable code (FILE_INTEGRITY: nothing was saved). */
  readonly error?: string | undefined;
}

/** Why a file was not saved, for people. */
const NOT_SAVED: Readonly<Record<string, string>> = {
  FILE_INTEGRITY: 'it is not the file its sender sent (tampered with or damaged); nothing was saved',
  FILE_NOT_FOUND: 'the server no longer has it',
};

/** The `file` object of a message record. */
function fileJson(f: NonNullable<Message['file']>, outcome: FileOutcome | undefined): object {
  return {
    name: f.name,
    mediaType: f.mediaType,
    size: f.size,
    state: outcome?.state ?? f.state,
    ...(outcome?.savedTo === undefined ? {} : { savedTo: outcome.savedTo }),
    ...(outcome?.error === undefined ? {} : { error: outcome.error }),
  };
}

/** The continuation line saying what became of a received file, if anything is to be said. */
function outcomeLine(m: Message, outcome: FileOutcome | undefined): string {
  if (outcome === undefined) return '';
  let what: string;
  if (outcome.savedTo !== undefined) what = `saved to ${v(outcome.savedTo)}`;
  else if (outcome.error !== undefined) {
    const why = NOT_SAVED[outcome.error] ?? `the download failed; try again with "sotto download ${m.id}"`;
    what = `not saved: ${why} [${v(outcome.error)}]`;
  } else if (outcome.state === 'available') what = `not downloaded: "sotto download ${m.id}" fetches it`;
  else return '';
  return `\n${CONTINUATION}${what}`;
}

/** `[#team] ` before a group's line (nothing for a 1:1 conversation). */
function groupPrefix(group: GroupTag | undefined): string {
  return group === undefined ? '' : `[${group.label}] `;
}

/** `"group":{"id","name"}` for a record of a group conversation. */
function groupField(group: GroupTag | undefined): { group?: { id: string; name: string | null } } {
  return group === undefined ? {} : { group: groupRef(group) };
}

/**
 * A message, incoming or outgoing (also sent by one's own other device). A file message shows its file
 * (name, size, type, state) and, with `outcome`, what this run did with it; a file not downloaded yet
 * shows how to download it (human output only shows message ids there). A message of a group (`group`:
 * its tag) reads `[HH:MM] [#team] alice: hi` (`me:` for this account's), and its record has `"group"`.
 */
export function renderMessage(m: Message, given?: FileOutcome, group?: GroupTag): Rendered {
  const outcome = given ?? (m.file?.state === 'available' ? { state: 'available' } : undefined);
  const arrow =
    group !== undefined
      ? `[${group.label}] ${m.direction === 'in' ? v(m.from.account) : 'me'}`
      : m.direction === 'in'
        ? v(m.from.account)
        : `me → ${v(m.conversation)}`;
  const failed = m.status === 'failed' && m.error !== undefined ? `: ${v(m.error)}` : '';
  const status = m.direction === 'out' ? `  (${m.status}${failed})` : '';
  const f = m.file;
  const body =
    f === undefined
      ? visibleText(m.text, CONTINUATION)
      : `file "${v(f.name)}" (${formatSize(f.size)}, ${v(f.mediaType)}, ${outcome?.state ?? f.state})` +
        (m.text === '' ? '' : `: ${visibleText(m.text, CONTINUATION)}`);
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
      ...(f === undefined ? {} : { file: fileJson(f, outcome) }),
      ...groupField(group),
    },
    line: `[${clock(m.sentAt)}] ${arrow}: ${body}${status}${outcomeLine(m, outcome)}`,
  };
}

/** A delivery or read receipt (in a group: `group`, its tag). */
export function renderReceipt(r: ReceiptEvent, group?: GroupTag): Rendered {
  return {
    json: {
      type: 'receipt',
      kind: r.kind,
      conversation: r.conversation,
      from: r.from.account,
      device: r.from.deviceId,
      messageIds: [...r.messageIds],
      ...groupField(group),
    },
    line: `✓ ${groupPrefix(group)}${r.kind} by ${v(r.from.account)} (device ${r.from.deviceId}): ${r.messageIds.length} message(s)`,
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

/** A typing indicator (in a group: `group`, its tag). */
export function renderTyping(t: TypingEvent, group?: GroupTag): Rendered {
  const who = `${groupPrefix(group)}${v(t.account)}`;
  return {
    json: {
      type: 'typing',
      from: t.account,
      device: t.deviceId,
      typing: t.typing,
      ...(group === undefined ? {} : { conversation: t.conversation }),
      ...groupField(group),
    },
    line: t.typing ? `… ${who} is typing` : `… ${who} stopped typing`,
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

/**
 * How an upload of this device ended, for `send-file` (`resumed`: an upload an earlier run left
 * unfinished): its file message reached the server (`sent`), was refused (`failed`, with the code), or
 * waits for the connection (`queued`: the next sotto command on this profile goes on with it).
 */
export function renderUpload(m: Message, resumed: boolean, group?: GroupTag): Rendered {
  const f = m.file;
  const file = f === undefined ? {} : { file: { name: f.name, mediaType: f.mediaType, size: f.size } };
  const what = f === undefined ? 'the file' : `"${v(f.name)}" (${formatSize(f.size)})`;
  const also = resumed ? { resumed: true } : {};
  const common = { to: m.conversation, ...groupField(group), id: m.id, sentAt: m.sentAt, ...file, ...also };
  const note = resumed ? ' (an earlier upload, resumed)' : '';
  const to = group === undefined ? v(m.conversation) : group.label;
  if (m.status === 'failed') {
    return {
      json: { type: 'failed', ...common, error: m.error ?? 'INTERNAL' },
      line: `! ${what} to ${to} was not sent${note} [${v(m.error ?? 'INTERNAL')}]`,
    };
  }
  if (m.status === 'pending') {
    return {
      json: { type: 'queued', ...common },
      line: `queued ${what} for ${to}${note}: the next sotto command on this profile goes on with it (do not send it again)`,
    };
  }
  return { json: { type: 'sent', ...common }, line: `sent ${what} to ${to}${note}` };
}
