/**
 * A call log line in a conversation: how a call ended ("Missed call (video)", "Call ended (voice, 1:23)"),
 * written by this device when the call ended, never sent. Missed calls stand out.
 */
import type { Message } from '@sotto/client';
import { formatTime } from '../lib/format.js';
import { Icon } from './Icon.js';

/** The line of call log entry `message`. */
export function CallLine({ message: m }: { readonly message: Message }) {
  const outcome = m.call?.outcome;
  const missed = m.direction === 'in' && (outcome === 'missed' || outcome === 'busy');
  return (
    <li
      className={`call-line ${m.direction}${missed ? ' missed' : ''}`}
      data-id={m.id}
      data-call-outcome={outcome}
    >
      <Icon name="phone" />
      <span className="text">{m.text}</span>
      <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
    </li>
  );
}
