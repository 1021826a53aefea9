/** Sets this account's presence and status text (seen by accepted contacts). */
import type { PresenceState, SottoClient } from '@sotto/client';
import { type FormEvent, useState } from 'react';
import { describeError } from '../lib/errors.js';

const STATES: readonly PresenceState[] = ['online', 'away', 'busy', 'offline'];

/** Props of {@link StatusEditor}. */
export interface StatusEditorProps {
  readonly client: SottoClient;
}

/** A state picker and a status line. */
export function StatusEditor({ client }: StatusEditorProps) {
  const [state, setState] = useState<PresenceState>('online');
  const [text, setText] = useState('');
  const [note, setNote] = useState('');

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.setPresence(state, text.trim() === '' ? undefined : text.trim());
      setNote('Saved');
    } catch (err) {
      setNote(describeError(err));
    }
  };

  return (
    <form className="status-editor" onSubmit={save} aria-label="Your status">
      <select aria-label="Presence" value={state} onChange={(e) => setState(e.target.value as PresenceState)}>
        {STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <input
        aria-label="Status text"
        placeholder="Status"
        maxLength={140}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setNote('');
        }}
      />
      <button type="submit">Set</button>
      <span className="note" aria-live="polite">
        {note}
      </span>
    </form>
  );
}
