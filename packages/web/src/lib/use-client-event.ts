/** Subscribes a component to one SDK event for as long as it is mounted. */
import type { ClientEvents, SottoClient } from '@sotto/client';
import { useEffect, useRef } from 'react';

/** Calls `listener` for every `event` of `client`; the latest listener is used without resubscribing. */
export function useClientEvent<K extends keyof ClientEvents>(
  client: SottoClient,
  event: K,
  listener: (payload: ClientEvents[K]) => void,
): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => client.on(event, (p) => ref.current(p)), [client, event]);
}
