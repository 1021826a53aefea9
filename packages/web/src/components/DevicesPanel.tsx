/**
 * This account's devices with their names (end-to-end synced between own devices), a way to rename this
 * browser's device, and to revoke another one.
 */
import { type DeviceInfo, type SottoClient, SottoError } from '@sotto/client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { formatTime } from '../lib/format.js';
import { useClientEvent } from '../lib/use-client-event.js';

/** Props of {@link DevicesPanel}. */
export interface DevicesPanelProps {
  readonly client: SottoClient;
  readonly onBack: () => void;
}

/** How a device is called in the list. */
export function deviceLabel(d: DeviceInfo): string {
  return d.name !== undefined && d.name !== '' ? d.name : `Device ${d.deviceId}`;
}

/** Renames this browser's device. */
function RenameForm({
  client,
  current,
  onDone,
}: {
  client: SottoClient;
  current: string;
  onDone: () => void;
}) {
  const [name, setName] = useState(current);
  const [note, setNote] = useState('');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setNote('');
    try {
      await client.setDeviceName(name);
      setNote('Saved.');
    } catch (err) {
      setNote(
        SottoError.is(err, 'NOT_CONNECTED')
          ? 'Saved here; your other devices learn it when you are back online.'
          : describeError(err),
      );
    }
    onDone();
  };
  return (
    <form className="rename" onSubmit={save}>
      <label htmlFor="device-name">Name of this device</label>
      <input id="device-name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
      <button type="submit" disabled={name.trim() === '' || name === current}>
        Rename
      </button>
      {note !== '' && (
        <p role="status" className="hint">
          {note}
        </p>
      )}
    </form>
  );
}

/** The list from the signed device list. */
export function DevicesPanel({ client, onBack }: DevicesPanelProps) {
  const [devices, setDevices] = useState<DeviceInfo[] | undefined>();
  const [error, setError] = useState('');
  const load = useCallback(() => {
    client.listDevices().then(setDevices, (err) => setError(describeError(err)));
  }, [client]);
  useEffect(load, [load]);
  useClientEvent(client, 'devices-changed', load);

  const revoke = async (d: DeviceInfo) => {
    const label = deviceLabel(d);
    if (!window.confirm(`Revoke “${label}”? It will no longer receive or send messages.`)) return;
    setError('');
    try {
      await client.revokeDevice(d.deviceId);
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const current = devices?.find((d) => d.current);

  return (
    <div className="devices">
      <header className="pane-header">
        <button type="button" className="back" onClick={onBack} aria-label="Back to contacts">
          ←
        </button>
        <div className="title">
          <h2>Your devices</h2>
        </div>
      </header>
      <ul className="device-list">
        {devices?.map((d) => (
          <li key={d.deviceId} data-device={d.deviceId}>
            <span>
              <strong className="device-name">{deviceLabel(d)}</strong>
              {d.current && <span className="tag"> this browser</span>}
              {!d.certified && <span className="tag warn"> not certified</span>}
              <br />
              <small>
                Device {d.deviceId}
                {d.createdAt === undefined ? '' : `, added ${formatTime(d.createdAt)}`}
              </small>
            </span>
            {!d.current && (
              <button
                type="button"
                onClick={() => revoke(d)}
                aria-label={`Revoke ${deviceLabel(d)} (device ${d.deviceId})`}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {current !== undefined && (
        <RenameForm key={current.deviceId} client={client} current={current.name ?? ''} onDone={load} />
      )}
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
