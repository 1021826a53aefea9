/**
 * Desktop notifications in this browser: turning them on asks the browser's permission (from the click,
 * as browsers require); "show message text" lets them name the sender and show the message, which they
 * do not by default. The choices are kept in this browser only.
 */
import { useState } from 'react';
import {
  type NotificationPrefs,
  notificationPermission,
  readNotificationPrefs,
  writeNotificationPrefs,
} from '../lib/notification-prefs.js';

/** The desktop section of Settings. */
export function DesktopNotificationSettings() {
  const [prefs, setPrefs] = useState<NotificationPrefs>(readNotificationPrefs);
  const [permission, setPermission] = useState(notificationPermission);
  const save = (next: NotificationPrefs) => {
    writeNotificationPrefs(next);
    setPrefs(next);
  };
  const turnOn = async () => {
    if (typeof Notification === 'undefined') return;
    const answer =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    setPermission(answer);
    if (answer === 'granted') save({ ...prefs, enabled: true });
  };
  const on = prefs.enabled && permission === 'granted';

  return (
    <section className="settings-section" aria-labelledby="desktop-heading">
      <h3 id="desktop-heading">Desktop notifications</h3>
      {permission === 'unsupported' ? (
        <p className="hint">This browser cannot show notifications.</p>
      ) : (
        <>
          <p className="hint" role="status" data-testid="desktop-state">
            {on
              ? 'On: a notification shows when a message arrives while Sotto is in the background.'
              : permission === 'denied'
                ? 'This browser blocks notifications from Sotto; allow them in its site settings.'
                : 'Off.'}
          </p>
          {on ? (
            <button type="button" onClick={() => save({ ...prefs, enabled: false })}>
              Turn off desktop notifications
            </button>
          ) : (
            <button type="button" onClick={turnOn} disabled={permission === 'denied'}>
              Turn on desktop notifications
            </button>
          )}
          <label className="check">
            <input
              type="checkbox"
              checked={prefs.showText}
              onChange={(e) => save({ ...prefs, showText: e.target.checked })}
            />
            Show who wrote and the message text in notifications
          </label>
        </>
      )}
    </section>
  );
}
