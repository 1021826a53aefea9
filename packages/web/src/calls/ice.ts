/**
 * The RTCPeerConnection configuration of a call: the ICE servers (STUN, and TURN with time-limited
 * credentials) the server's operator configured (`client.iceServers()`), and with "Relay calls (hide my
 * IP)" only relayed candidates (`iceTransportPolicy: 'relay'`), so the other person never learns this
 * device's addresses. Relay-only without a TURN server could never connect: that is refused up front.
 */
import type { SottoClient } from '@sotto/client';

/** A call cannot be set up as asked; the message says why, for the user. */
export class CallSetupError extends Error {}

/** The configuration for a call of `client`; `relayOnly` from the user's setting. */
export async function callConfiguration(client: SottoClient, relayOnly: boolean): Promise<RTCConfiguration> {
  const servers = await client.iceServers().catch(() => []);
  const iceServers: RTCIceServer[] = servers.map((s) => ({
    urls: [...s.urls],
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.credential === undefined ? {} : { credential: s.credential }),
  }));
  if (!relayOnly) return { iceServers };
  const hasRelay = iceServers.some((s) => [s.urls].flat().some((u) => /^turns?:/.test(u)));
  if (!hasRelay) {
    throw new CallSetupError(
      'Relay calls are on, but this server offers no relay (TURN): turn the setting off in Settings to call.',
    );
  }
  return { iceServers, iceTransportPolicy: 'relay' };
}
