/**
 * This browser's choices about desktop notifications, kept in localStorage (they are about this screen,
 * not the account): whether to show them at all, and whether they may show who wrote and what. Off until
 * the user turns them on in Settings; without "show message text", a notification says "New message"
 * and nothing else.
 */

/** The choices. */
export interface NotificationPrefs {
  /** Show a desktop notification for a message that arrives while the tab is hidden. */
  readonly enabled: boolean;
  /** Put the sender's name and the message text in it. */
  readonly showText: boolean;
}

const KEY = 'sotto.notifications';
const OFF: NotificationPrefs = { enabled: false, showText: false };

/** The stored choices (off when nothing, or something unreadable, is stored). */
export function readNotificationPrefs(): NotificationPrefs {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (typeof v !== 'object' || v === null) return OFF;
    const o = v as Record<string, unknown>;
    return { enabled: o.enabled === true, showText: o.showText === true };
  } catch {
    return OFF;
  }
}

/** Stores `prefs`. */
export function writeNotificationPrefs(prefs: NotificationPrefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Storage refused (private mode, quota): the choice lasts for this page only.
  }
}

/** The browser's permission, or `unsupported` where there is no Notification API. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}
