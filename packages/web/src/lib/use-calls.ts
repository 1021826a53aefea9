/**
 * The call this window shows, if any: one the user starts from a conversation, or one that rings here
 * (the SDK's `call` event). Small on purpose: the call screen and the media code load only when a call
 * starts or rings (src/calls/, a lazy chunk). A ringing call raises a desktop notification when Sotto is
 * in the background and the user turned notifications on ("Incoming call", nobody's name unless message
 * text may show).
 */
import type { Call, CallMedia, SottoClient } from '@sotto/client';
import { useState } from 'react';
import { notificationPermission, readNotificationPrefs } from './notification-prefs.js';
import { useClientEvent } from './use-client-event.js';

/** A call to show: one to start, or one ringing here. */
export type CallRequest =
  | { readonly kind: 'outgoing'; readonly peer: string; readonly media: CallMedia }
  | { readonly kind: 'incoming'; readonly call: Call };

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
} {
  const [request, setRequest] = useState<CallRequest | undefined>(undefined);
  useClientEvent(client, 'call', (call) => {
    notifyRinging(call, () => undefined);
    setRequest((now) => {
      // A call that replaces ours (both called at once) takes its place; any other waits its turn: the
      // SDK answers it busy if ours goes ahead.
      if (now === undefined || call.replaces !== undefined) return { kind: 'incoming', call };
      if (now.kind === 'outgoing') void call.hangup().catch(() => undefined);
      return now;
    });
  });
  return {
    request,
    start: (peer, media) => setRequest((now) => now ?? { kind: 'outgoing', peer, media }),
    done: () => setRequest(undefined),
  };
}
