/** Sends a contact request by account name. */
import type { SottoClient } from '@sotto/client';
import { type FormEvent, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link AddContactForm}. */
export interface AddContactFormProps {
  readonly client: SottoClient;
  readonly onDone: () => void;
}

/** A one-field form. */
export function AddContactForm({ client, onDone }: AddContactFormProps) {
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  useEffect(() => {
    if (note === '') return;
    const t = setTimeout(() => setNote(''), 8_000); // a confirmation, not a permanent line
    return () => clearTimeout(t);
  }, [note]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const who = name.trim();
    if (who === '') return;
    try {
      await client.requestContact(who);
      setNote(`Request sent to ${who}.`);
      setName('');
      onDone();
    } catch (err) {
      setNote(describeError(err));
    }
  };

  return (
    <form className="add-contact" onSubmit={submit} aria-label="Add contact">
      <input
        aria-label="Contact name"
        placeholder="Add a contact by name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="submit">Add</button>
      {note !== '' && (
        <p className="note" role="status">
          {note}
        </p>
      )}
    </form>
  );
}
