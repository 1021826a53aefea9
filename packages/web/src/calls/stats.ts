/**
 * What a call's connection does, from RTCPeerConnection.getStats(): media bytes received and sent, and
 * the route of the selected candidate pair (`host`: direct on the local network, `srflx`/`prflx`: direct
 * through NAT, `relay`: through the TURN server, which hides both addresses from each other).
 */

/** A summary of a call's transport. */
export interface CallStats {
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** The local candidate type of the pair in use, once there is one. */
  readonly route?: string | undefined;
}

/** Reads `pc`'s stats now. */
export async function readCallStats(pc: RTCPeerConnection): Promise<CallStats> {
  const report = await pc.getStats();
  let bytesReceived = 0;
  let bytesSent = 0;
  let pairId: string | undefined;
  const all = new Map<string, Record<string, unknown>>();
  report.forEach((s: Record<string, unknown>) => {
    all.set(String(s.id), s);
    if (s.type === 'inbound-rtp' && typeof s.bytesReceived === 'number') bytesReceived += s.bytesReceived;
    if (s.type === 'outbound-rtp' && typeof s.bytesSent === 'number') bytesSent += s.bytesSent;
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
      pairId = s.selectedCandidatePairId;
  });
  if (pairId === undefined) {
    for (const s of all.values()) {
      if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded')
        pairId = String(s.id);
    }
  }
  const pair = pairId === undefined ? undefined : all.get(pairId);
  const local = pair === undefined ? undefined : all.get(String(pair.localCandidateId));
  const route = typeof local?.candidateType === 'string' ? local.candidateType : undefined;
  return { bytesReceived, bytesSent, route };
}
