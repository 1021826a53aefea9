/**
 * The one place the web app creates its SDK client: an IndexedDB profile encrypted at rest under a
 * non-extractable WebCrypto key, the portable crypto provider (WebCrypto first), and the server that
 * served the page; and the page's group journal, following the client from the start.
 */
import {
  type ClientStore,
  createClient,
  deleteIndexedDbStore,
  openIndexedDbStore,
  type SottoClient,
} from '@sotto/client';
import { createPortableProvider } from '@sotto/crypto';
import { readRingTimeoutMs } from './call-prefs.js';
import { GroupJournal } from './group-journal.js';

/** A client and the store it owns. */
export interface Session {
  readonly client: SottoClient;
  readonly store: ClientStore;
  readonly journal: GroupJournal;
}

/** The database name of the profile. */
const PROFILE = 'sotto-profile';

/** Opens the browser profile and creates a client for the page's own server (and its journal). */
export async function openSession(): Promise<Session> {
  const store = await openIndexedDbStore({ name: PROFILE });
  const provider = await createPortableProvider();
  const ringTimeoutMs = readRingTimeoutMs();
  const client = createClient({
    server: window.location.origin,
    store,
    provider,
    ...(ringTimeoutMs === undefined ? {} : { calls: { ringTimeoutMs } }),
  });
  const journal = new GroupJournal(client, store);
  journal.start();
  return { client, store, journal };
}

/** Disconnects and deletes the browser profile (keys, contacts, history). */
export async function destroySession(session: Session): Promise<void> {
  await session.journal.stop();
  await session.client.close();
  await session.store.close();
  await deleteIndexedDbStore({ name: PROFILE });
}
