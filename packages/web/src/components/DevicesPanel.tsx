/** This account's devices, with a way to revoke one. */
import type { DeviceInfo, SottoClient } from '@sotto/client';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../lib/errors.js';
import { formatTime } from '../lib/format.js';
import { useClientEvent } from '../lib/use-client-event.js';

/** Props of {@link DevicesPanel}. */
export interface DevicesPanelProps {
  readonly client: SottoClient;
  readonly onBack: () => void;
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

  const revoke = async (id: number) => {
    if (!window.confirm(`Revoke device ${id}? It will no longer receive or send messages.`)) return;
    setError('');
    try {
      await client.revokeDevice(id);
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };

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
              <strong>Device {d.deviceId}</strong>
              {d.current && <span className="tag"> this browser</span>}
              {!d.certified && <span className="tag warn"> not certified</span>}
              <br />
              <small>{d.createdAt === undefined ? '' : `added ${formatTime(d.createdAt)}`}</small>
            </span>
            {!d.current && (
              <button
                type="button"
                onClick={() => revoke(d.deviceId)}
                aria-label={`Revoke device ${d.deviceId}`}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {error !== '' && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
