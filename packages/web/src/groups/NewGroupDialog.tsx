/**
 * "New group": a name, the accepted contacts to add, and under "Advanced" the encryption — post-quantum
 * X-Wing (the default, like 1:1 sessions) or classic X25519. Creating claims a key package for every
 * device of the people picked and sends them a Welcome, which takes a moment; the dialog says so.
 */
import type { GroupInfo, SottoClient } from '@sotto/client';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../lib/errors.js';

/** Props of {@link NewGroupDialog}. */
export interface NewGroupDialogProps {
  readonly client: SottoClient;
  /** Accepted contacts. */
  readonly contacts: readonly string[];
  readonly onCreated: (group: GroupInfo) => void;
  readonly onCancel: () => void;
}

/** A modal dialog. */
export function NewGroupDialog({ client, contacts, onCreated, onCancel }: NewGroupDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [suite, setSuite] = useState<'xwing' | 'classic'>('xwing');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState('');
  const nameId = useId();

  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
  }, []);

  const toggle = (account: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(account);
      else next.delete(account);
      return next;
    });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '' || picked.size === 0 || working) return;
    setWorking(true);
    setError('');
    try {
      const group = await client.createGroup({ name: name.trim(), members: [...picked], suite });
      onCreated(group);
    } catch (err) {
      setError(describeError(err));
      setWorking(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog new-group"
      aria-labelledby="new-group-title"
      onCancel={(e) => {
        if (working) e.preventDefault();
        else onCancel();
      }}
    >
      <form onSubmit={create} aria-busy={working}>
        <h2 id="new-group-title">New group</h2>
        <label htmlFor={nameId}>Group name</label>
        <input
          id={nameId}
          value={name}
          maxLength={128}
          required
          disabled={working}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className="pick-list" disabled={working}>
          <legend>Members</legend>
          {contacts.length === 0 && (
            <p className="hint">Add contacts first: a group is made of your contacts.</p>
          )}
          {contacts.map((c) => (
            <label key={c} className="pick">
              <input type="checkbox" checked={picked.has(c)} onChange={(e) => toggle(c, e.target.checked)} />
              {c}
            </label>
          ))}
        </fieldset>
        <details className="advanced">
          <summary>Advanced</summary>
          <fieldset disabled={working}>
            <legend>Encryption</legend>
            <label className="pick">
              <input
                type="radio"
                name="suite"
                value="xwing"
                checked={suite === 'xwing'}
                onChange={() => setSuite('xwing')}
              />
              Post-quantum (X-Wing) — recommended
            </label>
            <label className="pick">
              <input
                type="radio"
                name="suite"
                value="classic"
                checked={suite === 'classic'}
                onChange={() => setSuite('classic')}
              />
              Classic (X25519) — smaller keys, not protected against future quantum computers
            </label>
          </fieldset>
        </details>
        {working && (
          <p className="hint" role="status">
            Creating the group and inviting {picked.size === 1 ? 'one person' : `${picked.size} people`}…
          </p>
        )}
        {error !== '' && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel} disabled={working}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={working || name.trim() === '' || picked.size === 0}
          >
            Create group
          </button>
        </div>
      </form>
    </dialog>
  );
}
