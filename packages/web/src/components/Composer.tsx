/**
 * The message box: Enter sends, Shift+Enter adds a line; tells the contact while we type. One send at a
 * time: the box is emptied the moment a message goes, so what is typed meanwhile stays; a second Enter
 * (or a held one, or a double click on Send) while a send is in flight sends nothing more. When nothing was
 * stored (the SDK refused before writing the message), the text comes back to the box.
 */
import type { SottoClient } from '@sotto/client';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';

const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

/** Props of {@link Composer}. */
export interface ComposerProps {
  readonly client: SottoClient;
  readonly to: string;
  readonly disabled: boolean;
  readonly placeholder: string;
  /**
   * Sends `text`; resolves true when the message is in the history (sent, queued, or kept as failed), false
   * when nothing was stored (the text is then put back).
   */
  readonly onSend: (text: string) => Promise<boolean>;
}

/** A textarea and a send button. */
export function Composer({ client, to, disabled, placeholder, onSend }: ComposerProps) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const lastTyping = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stopTyping = () => {
    if (idle.current !== undefined) clearTimeout(idle.current);
    idle.current = undefined;
    if (lastTyping.current !== 0) {
      lastTyping.current = 0;
      client.sendTyping(to, false).catch(() => undefined);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: stop once, when the conversation closes
  useEffect(() => stopTyping, []);

  const typed = (value: string) => {
    setText(value);
    if (value === '') {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - lastTyping.current > TYPING_REPEAT_MS) {
      lastTyping.current = now;
      client.sendTyping(to, true).catch(() => undefined);
    }
    if (idle.current !== undefined) clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (sending.current || body === '' || disabled) return;
    sending.current = true;
    setBusy(true);
    stopTyping();
    setText('');
    try {
      if (!(await onSend(body))) setText((now) => (now.trim() === '' ? body : `${body}\n${now}`));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };

  const key = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!e.repeat) void submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit} aria-busy={busy}>
      <textarea
        aria-label={`Message to ${to}`}
        rows={1}
        placeholder={placeholder}
        value={text}
        disabled={disabled}
        onChange={(e) => typed(e.target.value)}
        onKeyDown={key}
        onBlur={stopTyping}
      />
      <button type="submit" className="primary" disabled={disabled || busy || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
