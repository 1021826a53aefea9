/**
 * A group's members panel: its name (admins can rename it), its encryption, the members with their
 * devices and admin badges; admins add members from their accepted contacts, remove members and make or
 * revoke admins; everyone can leave, after confirming. Each change is one MLS commit every member
 * verifies, so it takes a moment; the panel says so while it runs. Controls only admins may use are not
 * shown to others.
 */
import type { GroupInfo, GroupMember, SottoClient } from '@sotto/client';
import { type FormEvent, useId, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { groupSubtitle } from './GroupConversation.js';

/** Props of {@link GroupPanel}. */
export interface GroupPanelProps {
  readonly client: SottoClient;
  readonly group: GroupInfo;
  readonly me: string;
  /** Accepted contacts (who can be added). */
  readonly contacts: readonly string[];
  readonly onBack: () => void;
}

function devicesText(m: GroupMember): string {
  const n = m.devices.length;
  return `${n} device${n === 1 ? '' : 's'} (${m.devices.map((d) => `#${d}`).join(', ')})`;
}

/** Renames the group (admins); starts from the current name, so it is keyed by it. */
function RenameForm(props: { current: string; busy: boolean; onRename: (name: string) => void }) {
  const { current, busy, onRename } = props;
  const [name, setName] = useState(current);
  const id = useId();
  const next = name.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== '' && next !== current) onRename(next);
  };
  return (
    <form className="rename" onSubmit={submit}>
      <label htmlFor={id}>Group name</label>
      <input id={id} value={name} maxLength={128} disabled={busy} onChange={(e) => setName(e.target.value)} />
      <button type="submit" disabled={busy || next === '' || next === current}>
        Rename
      </button>
    </form>
  );
}

/** The panel. */
export function GroupPanel({ client, group, me, contacts, onBack }: GroupPanelProps) {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const active = group.status === 'active';
  const admin = active && group.admin;
  const inGroup = new Set(group.members.map((m) => m.account));
  const addable = contacts.filter((c) => !inGroup.has(c));

  const run = async (doing: string, action: () => Promise<unknown>, after: string) => {
    setError('');
    setDone('');
    setBusy(doing);
    try {
      await action();
      setDone(after);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy('');
    }
  };

  const rename = (next: string) =>
    void run('Renaming…', () => client.renameGroup(group.id, next), `Renamed to “${next}”.`);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const names = [...picked];
    if (names.length === 0) return;
    void run(
      'Adding…',
      async () => {
        await client.addGroupMembers(group.id, names);
        setPicked(new Set());
      },
      `Added ${names.join(', ')}.`,
    );
  };
  const remove = (account: string) => {
    if (
      !window.confirm(`Remove ${account} from “${group.name}”? They will not see anything sent after this.`)
    )
      return;
    void run('Removing…', () => client.removeGroupMembers(group.id, [account]), `Removed ${account}.`);
  };
  const setAdmin = (account: string, on: boolean) =>
    void run(
      on ? 'Making admin…' : 'Revoking admin…',
      () => client.setGroupAdmin(group.id, account, on),
      on ? `${account} is now an admin.` : `${account} is no longer an admin.`,
    );
  const leave = () => {
    if (
      !window.confirm(
        `Leave “${group.name}”? You will no longer receive its messages or be able to send to it. Its history stays on this device.`,
      )
    )
      return;
    void run('Leaving…', () => client.leaveGroup(group.id), 'You left the group.');
  };
  const toggle = (account: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(account);
      else next.delete(account);
      return next;
    });

  return (
    <div className="group-panel" aria-busy={busy !== ''}>
      <header className="pane-header">
        <button
          type="button"
          className="back back-always"
          onClick={onBack}
          aria-label={`Back to the conversation in ${group.name}`}
        >
          ←
        </button>
        <div className="title">
          <h2>{group.name}</h2>
          <p className="sub">{groupSubtitle(group)}</p>
        </div>
      </header>
      <div className="group-panel-body">
        {admin && <RenameForm key={group.name} current={group.name} busy={busy !== ''} onRename={rename} />}
        <p className="hint">
          {group.suite === 'xwing'
            ? 'Messages are end-to-end encrypted with MLS, post-quantum (X-Wing: X25519 with ML-KEM-768).'
            : 'Messages are end-to-end encrypted with MLS, classic (X25519).'}
        </p>
        {!active && (
          <p className="hint" role="status">
            {group.status === 'left' ? 'You left this group.' : 'You were removed from this group.'}
          </p>
        )}
        <h3>Members</h3>
        <ul className="member-list" aria-label="Members">
          {group.members.map((m) => (
            <li key={m.account} data-member={m.account}>
              <span className="member-text">
                <strong>{m.account}</strong>
                {m.account === me && <span className="tag"> (you)</span>}
                {m.admin && <span className="admin-badge">admin</span>}
                <br />
                <small>{devicesText(m)}</small>
              </span>
              {admin && m.account !== me && (
                <span className="member-actions">
                  <button
                    type="button"
                    disabled={busy !== ''}
                    onClick={() => setAdmin(m.account, !m.admin)}
                    aria-label={m.admin ? `Revoke admin from ${m.account}` : `Make ${m.account} an admin`}
                  >
                    {m.admin ? 'Revoke admin' : 'Make admin'}
                  </button>
                  <button
                    type="button"
                    disabled={busy !== ''}
                    onClick={() => remove(m.account)}
                    aria-label={`Remove ${m.account} from the group`}
                  >
                    Remove
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
        {admin && (
          <form className="add-members" onSubmit={add} aria-label="Add members">
            <fieldset>
              <legend>Add members</legend>
              {addable.length === 0 && <p className="hint">All your contacts are in the group.</p>}
              {addable.map((c) => (
                <label key={c} className="pick">
                  <input
                    type="checkbox"
                    checked={picked.has(c)}
                    disabled={busy !== ''}
                    onChange={(e) => toggle(c, e.target.checked)}
                  />
                  {c}
                </label>
              ))}
            </fieldset>
            {addable.length > 0 && (
              <button type="submit" disabled={busy !== '' || picked.size === 0}>
                Add to the group
              </button>
            )}
          </form>
        )}
        {busy !== '' && (
          <p className="hint" role="status" aria-live="polite">
            {busy}
          </p>
        )}
        {done !== '' && busy === '' && (
          <p className="hint" role="status">
            {done}
          </p>
        )}
        {error !== '' && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {active && (
          <button type="button" className="danger leave" disabled={busy !== ''} onClick={leave}>
            Leave group
          </button>
        )}
      </div>
    </div>
  );
}
