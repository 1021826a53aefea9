/**
 * This browser's call settings, kept in localStorage (they are about this device, not the account):
 * "Relay calls (hide my IP)" — media then goes only through the server's TURN relay, so the other person
 * never learns this device's addresses. A developer setting `sotto.calls.ringTimeoutMs` (2–120 s) shortens
 * how long calls ring, for tests.
 */

const RELAY = 'sotto.calls.relay';
const RING = 'sotto.calls.ringTimeoutMs';

/** True when calls should use the TURN relay only. */
export function readRelayOnly(): boolean {
  try {
    return localStorage.getItem(RELAY) === 'true';
  } catch {
    return false;
  }
}

/** Stores the relay-only choice. */
export function writeRelayOnly(on: boolean): void {
  try {
    localStorage.setItem(RELAY, on ? 'true' : 'false');
  } catch {
    // Storage refused: the choice lasts for this page only.
  }
}

/** The ring timeout set for tests, if any (undefined: the SDK's default). */
export function readRingTimeoutMs(): number | undefined {
  try {
    const n = Number(localStorage.getItem(RING) ?? '');
    return Number.isInteger(n) && n >= 2_000 && n <= 120_000 ? n : undefined;
  } catch {
    return undefined;
  }
}
