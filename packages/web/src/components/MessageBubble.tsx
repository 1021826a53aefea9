/** One message with its time and, for outgoing ones, its delivery mark. */
import type { Message, MessageStatus } from '@sotto/client';
import { formatTime } from '../lib/format.js';

const MARK: Record<MessageStatus, string> = {
  pending: '○',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
};

/** Props of {@link MessageBubble}. */
export interface MessageBubbleProps {
  readonly message: Message;
}

/** A bubble: right-aligned when ours. */
export function MessageBubble({ message: m }: MessageBubbleProps) {
  return (
    <li className={`bubble ${m.direction}`} data-status={m.status} data-direction={m.direction}>
      <p className="text">{m.text}</p>
      <span className="meta">
        <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
        {m.direction === 'out' && (
          <span className={`mark mark-${m.status}`} role="img" aria-label={m.status} title={m.status}>
            {MARK[m.status]}
          </span>
        )}
      </span>
    </li>
  );
}
