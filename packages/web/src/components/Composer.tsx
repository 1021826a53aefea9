/**
 * The message box: Enter sends, Shift+Enter adds a line; tells the contact while we type. Files come in
 * by the attach button (several at once), by pasting (e.g. a screenshot) or by dropping them on the
 * conversation; they wait in a tray above the box, and the text becomes the caption. One send at a time:
 * the box and the tray are emptied the moment a message goes, so what is typed meanwhile stays; a second
 * Enter (or a held one, or a double click on Send) while a send is in flight sends nothing more. What the
 * SDK did not store (it refused before writing the message) comes back to the box and the tray.
 */
import type { SottoClient } from '@sotto/client';
import { type ClipboardEvent, type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { AttachmentTray } from './AttachmentTray.js';
import { Icon } from './Icon.js';

const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

/** A message being sent: its text (the caption when there are files) and its files. */
export interface Draft {
  readonly text: string;
  readonly files: readonly File[];
}

/** Props of {@link Composer}. */
export interface ComposerProps {
  readonly client: SottoClient;
  /** The conversation (an account, or a group `#<hex>`). */
  readonly to: string;
  /** What people call it (the group's name); default `to`. */
  readonly label?: string | undefined;
  readonly disabled: boolean;
  readonly placeholder: string;
  /** The attached files (the conversation holds them, so files dropped on it land here). */
  readonly files: readonly File[];
  readonly onFiles: (files: readonly File[]) => void;
  /**
   * Sends the draft; resolves with what was not stored (empty text and no files when everything is in
   * the history: sent, queued, or kept as failed). That is put back.
   */
  readonly onSend: (draft: Draft) => Promise<Draft>;
}

/** A textarea, an attach button, the attached files and a send button. */
export function Composer(props: ComposerProps) {
  const { client, to, label = to, disabled, placeholder, files, onFiles, onSend } = props;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const lastTyping = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const picker = useRef<HTMLInputElement>(null);
  const held = useRef(files);
  held.current = files;

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

  const attach = (more: readonly File[]) => {
    if (more.length > 0) onFiles([...held.current, ...more]);
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    const attached = held.current;
    if (sending.current || (body === '' && attached.length === 0) || disabled) return;
    sending.current = true;
    setBusy(true);
    stopTyping();
    setText('');
    onFiles([]);
    try {
      const left = await onSend({ text: body, files: attached });
      if (left.text !== '') setText((now) => (now.trim() === '' ? left.text : `${left.text}\n${now}`));
      if (left.files.length > 0) onFiles([...left.files, ...held.current]);
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

  const paste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = [...e.clipboardData.files];
    if (pasted.length === 0 || disabled) return;
    e.preventDefault(); // the file, not its name or markup, is what was pasted
    attach(pasted);
  };

  return (
    <form className="composer" onSubmit={submit} aria-busy={busy}>
      <AttachmentTray files={files} onRemove={(i) => onFiles(files.filter((_, j) => j !== i))} />
      <div className="composer-row">
        <button
          type="button"
          className="attach"
          onClick={() => picker.current?.click()}
          disabled={disabled}
          aria-label="Attach files"
          title="Attach files"
        >
          <Icon name="attach" />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to attach"
          onChange={(e) => {
            attach([...(e.target.files ?? [])]);
            e.target.value = ''; // the same file can be picked again
          }}
        />
        <textarea
          aria-label={`Message to ${label}`}
          rows={1}
          placeholder={files.length > 0 ? 'Add a caption (optional)' : placeholder}
          value={text}
          disabled={disabled}
          onChange={(e) => typed(e.target.value)}
          onKeyDown={key}
          onPaste={paste}
          onBlur={stopTyping}
        />
        <button
          type="submit"
          className="primary"
          disabled={disabled || busy || (text.trim() === '' && files.length === 0)}
        >
          Send
        </button>
      </div>
    </form>
  );
}
