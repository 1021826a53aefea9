/**
 * One message with its time and, for outgoing ones, its delivery mark; in a group, an incoming message
 * names its sender and the group may add a line under it (who received and read it); a file message shows
 * its file above the caption; a message that could not be sent says why and offers to retry or delete it.
 * Memoized: a bubble renders again only when its message (or what the group adds) changes, so a new
 * message does not re-render the conversation.
 */
import type { Message, MessageStatus } from '@sotto/client';
import { memo, type ReactNode } from 'react';
import { describeCode } from '../lib/errors.js';
import { formatTime } from '../lib/format.js';
import { CallLine } from './CallLine.js';
import { FileSlot } from './FileSlot.js';

const MARK: Record<MessageStatus, string> = {
  pending: '○',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
};

const LABEL: Record<MessageStatus, string> = {
  pending: 'pending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'not sent',
};

/** Props of {@link MessageBubble}. */
export interface MessageBubbleProps {
  readonly message: Message;
  /** Sends a failed message again. */
  readonly onRetry: (id: string) => void;
  /** Deletes a failed message from this device. */
  readonly onDelete: (id: string) => void;
  /** In a group: the sender of an incoming message. */
  readonly sender?: string | undefined;
  /** In a group: shown under the message. */
  readonly extra?: ReactNode;
}

/** A bubble: right-aligned when ours. */
export const MessageBubble = memo(function MessageBubble({
  message: m,
  onRetry,
  onDelete,
  sender,
  extra,
}: MessageBubbleProps) {
  if (m.call !== undefined) return <CallLine message={m} />;
  const failed = m.direction === 'out' && m.status === 'failed';
  return (
    <li
      className={`bubble ${m.direction}${failed ? ' failed' : ''}${m.file === undefined ? '' : ' has-file'}`}
      data-id={m.id}
      data-status={m.status}
      data-direction={m.direction}
    >
      {sender !== undefined && <span className="sender">{sender}</span>}
      {m.file !== undefined && <FileSlot message={{ ...m, file: m.file }} />}
      {(m.file === undefined || m.text !== '') && <p className="text">{m.text}</p>}
      <span className="meta">
        <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
        {m.direction === 'out' && (
          <span
            className={`mark mark-${m.status}`}
            role="img"
            aria-label={LABEL[m.status]}
            title={LABEL[m.status]}
          >
            {MARK[m.status]}
          </span>
        )}
      </span>
      {extra}
      {failed && (
        <span className="failure">
          <span className="reason">Not sent: {describeCode(m.error)}</span>
          <button type="button" onClick={() => onRetry(m.id)}>
            Retry
          </button>
          <button type="button" onClick={() => onDelete(m.id)}>
            Delete
          </button>
        </span>
      )}
    </li>
  );
});
