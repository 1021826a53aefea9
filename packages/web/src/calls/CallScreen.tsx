/**
 * The call screen (a lazy chunk: it loads only when a call starts or rings): it opens the camera and
 * microphone, sets up the RTCPeerConnection (with the operator's TURN servers, and relay-only when the
 * user chose "Relay calls (hide my IP)"), hands the SDP and candidates to the SDK's `Call`, and shows the
 * ringing dialog, the call, and finally how it ended, for a few seconds.
 */
import type { Call, CallOutcome, CallState, SottoClient } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { readRelayOnly } from '../lib/call-prefs.js';
import { describeError } from '../lib/errors.js';
import type { CallRequest } from '../lib/use-calls.js';
import { InCall } from './InCall.js';
import { IncomingCall } from './IncomingCall.js';
import { CallSetupError, callConfiguration } from './ice.js';
import { describeOutcome } from './outcome.js';
import { PeerMedia } from './peer.js';
import './calls.css';

/** How long the screen says how a call ended before it closes. */
const ENDED_MS = 4000;

/** Props of {@link CallScreen}. */
export interface CallScreenProps {
  readonly client: SottoClient;
  readonly request: CallRequest;
  /** The call ended (its ending shows for a moment): another call may take the screen. */
  readonly onEnded: () => void;
  /** The call is over and its ending was shown: close the screen. */
  readonly onDone: () => void;
}

/** The call overlay. */
export function CallScreen({ client, request, onEnded, onDone }: CallScreenProps) {
  const incoming = request.kind === 'incoming' ? request.call : undefined;
  const peer = request.kind === 'incoming' ? request.call.peer : request.peer;
  const [call, setCall] = useState<Call | undefined>(incoming);
  const [state, setState] = useState<CallState | 'starting'>(incoming?.state ?? 'starting');
  const [outcome, setOutcome] = useState<CallOutcome | undefined>(undefined);
  const [media, setMedia] = useState<PeerMedia | undefined>(undefined);
  const [video, setVideo] = useState(request.kind === 'outgoing' ? request.media === 'video' : false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const began = useRef(false);
  const gone = useRef(false);
  const held = useRef<{ call?: Call; media?: PeerMedia }>({});

  const fail = (err: unknown) => {
    held.current.media?.close();
    setError(
      err instanceof CallSetupError
        ? err.message
        : err instanceof DOMException
          ? `Camera or microphone unavailable (${err.name}).`
          : describeError(err),
    );
    setState('ended');
  };

  const open = async (kind: 'audio' | 'video'): Promise<PeerMedia> => {
    const m = await PeerMedia.open(await callConfiguration(client, readRelayOnly()), kind);
    held.current.media = m;
    setMedia(m);
    setVideo(kind === 'video');
    return m;
  };

  // An outgoing call: media first, then the offer goes out.
  useEffect(() => {
    if (request.kind !== 'outgoing' || began.current) return;
    began.current = true;
    (async () => {
      const m = await open(request.media);
      const sdp = await m.offer();
      const c = await client.calls.start(peer, { media: request.media, sdp });
      if (gone.current) {
        m.close();
        await c.hangup();
        return;
      }
      m.attach(c);
      held.current.call = c;
      setCall(c);
    })().catch(fail);
  });

  // Follow the call's state; close the media when it ends.
  useEffect(() => {
    if (call === undefined) return;
    setState(call.state);
    if (call.state === 'ended') setOutcome(call.outcome);
    return call.on('state', (e) => {
      setState(e.state);
      if (e.state === 'ended') {
        setOutcome(e.outcome);
        held.current.media?.close();
      }
    });
  }, [call]);

  const accept = (withVideo: boolean) => {
    if (incoming === undefined) return;
    setBusy(true);
    (async () => {
      const m = await open(withVideo && incoming.media === 'video' ? 'video' : 'audio');
      const sdp = await m.answer(incoming.remoteOffer ?? '');
      m.attach(incoming);
      held.current.call = incoming;
      await incoming.accept(sdp);
    })()
      .catch((err) => {
        void incoming.fail();
        fail(err);
      })
      .finally(() => setBusy(false));
  };

  // Both called at once and this call replaced ours: take it as the user meant to talk anyway.
  const glare = incoming?.replaces !== undefined || (request.kind === 'incoming' && request.accept === true);
  useEffect(() => {
    if (incoming !== undefined && glare && !began.current) {
      began.current = true;
      accept(incoming.media === 'video');
    }
  });

  // Ended: show how for a moment, then close. Leaving the screen otherwise hangs up.
  useEffect(() => {
    if (state !== 'ended') return;
    onEnded();
    const t = setTimeout(onDone, ENDED_MS);
    return () => clearTimeout(t);
  }, [state, onEnded, onDone]);
  useEffect(
    () => () => {
      gone.current = true;
      void held.current.call?.hangup().catch(() => undefined);
      if (incoming?.state === 'incoming') void incoming.decline().catch(() => undefined);
      held.current.media?.close();
    },
    [incoming],
  );

  if (state === 'ended') {
    return (
      <div className="call-overlay">
        <div className="call-card ended" role="dialog" aria-label={`Call with ${peer}`}>
          <h2>{peer}</h2>
          <p className="call-status" data-testid="call-status" role="status">
            {error !== '' ? error : describeOutcome(outcome, peer)}
          </p>
          <div className="call-actions">
            <button type="button" onClick={onDone}>
              Close
            </button>
          </div>
        </div>
      </div>
    );
  }
  return (
    <div className="call-overlay">
      {state === 'incoming' && incoming !== undefined ? (
        <IncomingCall
          call={incoming}
          busy={busy}
          onAccept={accept}
          onDecline={() => void incoming.decline().catch(fail)}
        />
      ) : (
        <InCall
          peer={peer}
          call={call}
          state={state}
          media={media}
          video={video}
          onHangup={() => {
            if (call === undefined) onDone();
            else void call.hangup().catch(fail);
          }}
        />
      )}
    </div>
  );
}
