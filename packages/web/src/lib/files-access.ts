/**
 * The messenger's access to the files UI, which is loaded on its own after sign-in (the register screen
 * never fetches it): the shared kit once its code is here, and a way to wait for it.
 */
import type { SottoClient } from '@sotto/client';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { FilesKit } from '../files/kit.js';

/** What the messenger's components get. */
export interface FilesAccess {
  /** The kit, once the files code loaded. */
  readonly kit: FilesKit | undefined;
  /** The kit, loading the files code if need be. */
  readonly load: () => Promise<FilesKit>;
}

const NONE: FilesAccess = {
  kit: undefined,
  load: () => Promise.reject(new Error('The files UI is not available here.')),
};

/** Provided by the messenger. */
export const FilesContext = createContext<FilesAccess>(NONE);

/** The files access of the nearest messenger. */
export function useFiles(): FilesAccess {
  return useContext(FilesContext);
}

/** Loads the files UI for `client` (at once, in the background) and follows its progress events. */
export function useFilesAccess(client: SottoClient): FilesAccess {
  const [kit, setKit] = useState<FilesKit>();
  const loading = useRef<{ client: SottoClient; kit: Promise<FilesKit> }>(undefined);
  const load = useCallback((): Promise<FilesKit> => {
    if (loading.current?.client !== client) {
      const made = import('../files/index.js').then((m) => {
        const k = m.createFilesKit(client);
        setKit(k);
        return k;
      });
      made.catch(() => {
        if (loading.current?.kit === made) loading.current = undefined; // try again next time
      });
      loading.current = { client, kit: made };
    }
    return loading.current.kit;
  }, [client]);
  useEffect(() => {
    load().catch(() => undefined);
  }, [load]);
  useEffect(() => kit?.attach(), [kit]);
  return useMemo(() => ({ kit, load }), [kit, load]);
}
