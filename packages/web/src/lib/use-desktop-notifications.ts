/**
 * Desktop notifications (the Notification API) for messages that arrive while Sotto is in the background
 * (its tab hidden, or its window not the focused one), when the user turned them on in Settings and the
 * browser allows them. By default one says "New message" and
 * nothing else, so a screen in a shared office shows nobody's name or words; with "show message text" it
 * names the sender and shows the text (or the file's name). One notification per conversation at a time
 * (a newer one replaces it); clicking it brings the tab forward on that conversation.
 */
import type { Message, SottoClient } from '@sotto/client';
import { notificationPermission, readNotificationPrefs } from './notification-prefs.js';
import { useClientEvent } from './use-client-event.js';

/** True while the user looks at Sotto: its tab visible in the focused window. */
const inForeground = () => document.visibilityState === 'visible' && document.hasFocus();

/** What a notification for `m` shows, given the choice to show text or not. */
export function notificationContent(m: Message, showText: boolean): { title: string; body: string } {
  if (m.call !== undefined)
    return showText ? { title: m.conversation, body: m.text } : { title: 'Missed call', body: '' };
  if (!showText) return { title: 'New message', body: '' };
  const text = m.text !== '' ? m.text : m.file !== undefined ? `File: ${m.file.name}` : '';
  return { title: m.conversation, body: text };
}

/** Shows notifications for `client`'s incoming messages; `onOpen` opens a conversation. */
export function useDesktopNotifications(client: SottoClient, onOpen: (account: string) => void): void {
  useClientEvent(client, 'message', (m) => {
    if (m.direction !== 'in' || inForeground()) return;
    // Of the call log, only a missed call is news (a ringing call has its own notification).
    if (m.call !== undefined && m.call.outcome !== 'missed' && m.call.outcome !== 'busy') return;
    const prefs = readNotificationPrefs();
    if (!prefs.enabled || notificationPermission() !== 'granted') return;
    const { title, body } = notificationContent(m, prefs.showText);
    try {
      const n = new Notification(title, { body, tag: `sotto:${m.conversation}` });
      n.onclick = () => {
        window.focus();
        onOpen(m.conversation);
        n.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker: then there are none.
    }
  });
}
