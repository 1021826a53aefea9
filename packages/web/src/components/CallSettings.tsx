/**
 * Calls in this browser: "Relay calls (hide my IP)" sends call media only through the server's TURN
 * relay, so the other person never learns this device's network addresses (at some cost in latency).
 * Kept in this browser only.
 */
import { useState } from 'react';
import { readRelayOnly, writeRelayOnly } from '../lib/call-prefs.js';

/** The calls section of Settings. */
export function CallSettings() {
  const [relay, setRelay] = useState(readRelayOnly);
  return (
    <section className="settings-section" aria-labelledby="calls-heading">
      <h3 id="calls-heading">Calls</h3>
      <label className="check">
        <input
          type="checkbox"
          checked={relay}
          onChange={(e) => {
            writeRelayOnly(e.target.checked);
            setRelay(e.target.checked);
          }}
        />
        Relay calls (hide my IP)
      </label>
      <p className="hint">
        Call audio and video go through this server’s relay, so the other person does not see your address.
        Calls may then fail if the server has no relay.
      </p>
    </section>
  );
}
