/** The message box: Enter sends, Shift+Enter adds a line; tells the contact while we type. */
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
  /** Resolves true when sent (the box is then cleared). */
  readonly onSend: (text: string) => Promise<boolean>;
}

/** A textarea and a send button. */
export function Composer({ client, to, disabled, placeholder, onSend }: ComposerProps) {
  const [text, setText] = useState('');
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
    if (body === '' || disabled) return;
    stopTyping();
    if (await onSend(body)) setText('');
  };

  const key = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
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
      <button type="submit" className="primary" disabled={disabled || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
