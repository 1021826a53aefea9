/** Settings: notifications by email (the account's, kept by the server) and on this desktop; calls. */
import type { SottoClient } from '@sotto/client';
import { CallSettings } from './CallSettings.js';
import { DesktopNotificationSettings } from './DesktopNotificationSettings.js';
import { NotificationEmailSettings } from './NotificationEmailSettings.js';

/** Props of {@link SettingsPanel}. */
export interface SettingsPanelProps {
  readonly client: SottoClient;
  readonly onBack: () => void;
}

/** The settings pane. */
export function SettingsPanel({ client, onBack }: SettingsPanelProps) {
  return (
    <div className="settings">
      <header className="pane-header">
        <button type="button" className="back" onClick={onBack} aria-label="Back to contacts">
          ←
        </button>
        <div className="title">
          <h2>Settings</h2>
        </div>
      </header>
      <div className="settings-body">
        <NotificationEmailSettings client={client} />
        <DesktopNotificationSettings />
        <CallSettings />
      </div>
    </div>
  );
}
