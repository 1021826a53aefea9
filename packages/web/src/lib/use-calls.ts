/**
 * The call this window shows, if any: one the user starts from a conversation, or one that rings here
 * (the SDK's `call` event). Small on purpose: the call screen and the media code load only when a call
 * starts or rings (src/calls/, a lazy chunk). A ringing call raises a desktop notification when Sotto is
 * in the background and the user turned notifications on ("Incoming call", nobody's name unless message
 * text may show).
 */
import type { Call, CallMedia, SottoClient } from '@sotto/client';
import { useCallback, useRef, useState } from 'react';
import { notificationPermission, readNotificationPrefs } from './notification-prefs.js';
import { useClientEvent } from './use-client-event.js';

/** A call to show: one to start, or one ringing here. */
export type CallRequest = (
  | { readonly kind: 'outgoing'; readonly peer: string; readonly media: CallMedia }
  | {
      readonly kind: 'incoming';
      readonly call: Call;
      /** True to accept at once: we were calling the same person when their call came in. */
      readonly accept?: boolean;
    }
) & {
  /** Tells one request from the next (the call screen starts afresh for each). */
  readonly key: number;
};

const inForeground = () => document.visibilityState === 'visible' && document.hasFocus();

function notifyRinging(call: Call, onOpen: () => void): void {
  if (inForeground()) return;
  const prefs = readNotificationPrefs();
  if (!prefs.enabled || notificationPermission() !== 'granted') return;
  try {
    const kind = call.media === 'video' ? 'video' : 'voice';
    const n = new Notification(prefs.showText ? `${call.peer} is calling` : 'Incoming call', {
      body: prefs.showText ? `Incoming ${kind} call` : '',
      tag: `sotto:call:${call.id}`,
    });
    n.onclick = () => {
      window.focus();
      onOpen();
      n.close();
    };
    call.on('state', (e) => {
      if (e.state !== 'incoming') n.close();
    });
  } catch {
    // Notifications only from a service worker here: the ringing dialog is all.
  }
}

/** The call request shown now, with ways to start one and to let it go. */
export function useCalls(client: SottoClient): {
  readonly request: CallRequest | undefined;
  readonly start: (peer: string, media: CallMedia) => void;
  readonly done: () => void;
  /** The call shown has ended (its ending still shows): a new call may take its place. */
  readonly ended: () => void;
} {
  const [request, setRequest] = useState<CallRequest | undefined>(undefined);
  const over = useRef(false);
  const keys = useRef(0);
  const show = useCallback((r: CallRequest | undefined) => {
    over.current = false;
    setRequest(r);
  }, []);
  // Stable, so the call screen's timers do not start over whenever the messenger renders.
  const done = useCallback(() => show(undefined), [show]);
  const ended = useCallback(() => {
    over.current = true;
  }, []);
  useClientEvent(client, 'call', (call) => {
    notifyRinging(call, () => undefined);
    // A call that replaces ours (both called at once) takes its place, as does any once ours is over. One
    // from the person we are about to call (ours has not gone out yet) is taken at once instead of ours;
    // any other that rings while ours is being set up is declined (once ours went out, the SDK answers
    // busy by itself).
    if (request === undefined || over.current || call.replaces !== undefined) {
      show({ kind: 'incoming', call, key: ++keys.current });
    } else if (request.kind === 'outgoing' && request.peer === call.peer) {
      show({ kind: 'incoming', call, accept: true, key: ++keys.current });
    } else {
      void call.decline().catch(() => undefined);
    }
  });
  return {
    request,
    start: (peer, media) => {
      if (request === undefined || over.current) show({ kind: 'outgoing', peer, media, key: ++keys.current });
    },
    done,
    ended,
  };
}
