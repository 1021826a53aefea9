/** Whether the client is connected, from its `connection` events. */
import type { SottoClient } from '@sotto/client';
import { useState } from 'react';
import { useClientEvent } from './use-client-event.js';

/** True while authenticated to the server. */
export function useOnline(client: SottoClient): boolean {
  const [online, setOnline] = useState(client.online);
  useClientEvent(client, 'connection', (e) => setOnline(e.state === 'online'));
  return online;
}
