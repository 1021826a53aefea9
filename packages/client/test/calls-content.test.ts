/** The call signaling content kinds: round trips, and hostile encodings refused before use. */
import { encodeCbor } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';
import { type Content, decodeContent, encodeContent, MAX_CANDIDATES, MAX_SDP_CHARS } from '../src/content.js';

const callId = new Uint8Array(16).fill(7);

describe('call content', () => {
  it('round-trips offer, answer, ICE and hangup, with and without the own-device `to`', () => {
    const samples: Content[] = [
      { t: 'call-offer', callId, media: 'video', sdp: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' },
      { t: 'call-answer', to: 'bob', callId, sdp: 'v=0\r\n' },
      {
        t: 'call-ice',
        callId,
        candidates: [
          {
            candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host',
            sdpMid: '0',
            sdpMLineIndex: 0,
          },
          { candidate: '' },
        ],
      },
      { t: 'call-hangup', callId, reason: 'busy' },
    ];
    for (const c of samples) expect(decodeContent(encodeContent(c))).toEqual(c);
  });

  it('refuses what is out of bounds on encode and on decode', () => {
    const big = 'a'.repeat(MAX_SDP_CHARS + 1);
    expect(() => encodeContent({ t: 'call-answer', callId, sdp: big })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const hostile = [
      { v: 1, t: 'call-answer', call: callId, sdp: big },
      { v: 1, t: 'call-answer', call: callId, sdp: 'v=0\u0000' },
      { v: 1, t: 'call-offer', call: callId, sdp: 'v=0\r\n' }, // no media
      { v: 1, t: 'call-offer', call: callId, media: 'hologram', sdp: 'v=0\r\n' },
      { v: 1, t: 'call-hangup', call: callId.subarray(0, 8), reason: 'hangup' },
      { v: 1, t: 'call-hangup', call: callId, reason: 'because' },
      { v: 1, t: 'call-ice', call: callId, ice: [] },
      {
        v: 1,
        t: 'call-ice',
        call: callId,
        ice: Array.from({ length: MAX_CANDIDATES + 1 }, () => ({ c: 'x' })),
      },
      { v: 1, t: 'call-ice', call: callId, ice: [{ c: 'x'.repeat(1025) }] },
      { v: 1, t: 'call-ice', call: callId, ice: [{ c: 'x', i: 256 }] },
      { v: 1, t: 'call-ice', call: callId, ice: [{ c: 'x', extra: 1 }] },
      { v: 1, t: 'call-answer', sdp: 'v=0\r\n' }, // no call id
    ];
    for (const h of hostile) {
      expect(() => decodeContent(encodeCbor(h as never)), JSON.stringify(h).slice(0, 80)).toThrow(
        expect.objectContaining({ code: 'MALFORMED_ENCODING' }),
      );
    }
  });
});
