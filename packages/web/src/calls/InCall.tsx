/**
 * The call in progress: the other person's video (or their name for a voice call), this camera's picture,
 * the status and duration, the connection route, and mute, camera and hang-up controls.
 */
import type { Call, CallState } from '@sotto/client';
import { useEffect, useRef, useState } from 'react';
import { describeState, formatDuration } from './outcome.js';
import type { PeerMedia } from './peer.js';
import { type CallStats, readCallStats } from './stats.js';

/** Props of {@link InCall}. */
export interface InCallProps {
  readonly peer: string;
  readonly call: Call | undefined;
  readonly state: CallState | 'starting';
  readonly media: PeerMedia | undefined;
  readonly video: boolean;
  readonly onHangup: () => void;
}

function useTick(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

function useStats(media: PeerMedia | undefined): CallStats | undefined {
  const [stats, setStats] = useState<CallStats | undefined>(undefined);
  useEffect(() => {
    if (media === undefined) return;
    const t = setInterval(() => {
      readCallStats(media.pc).then(setStats, () => undefined);
    }, 1000);
    return () => clearInterval(t);
  }, [media]);
  return stats;
}

const ROUTES: Record<string, string> = {
  relay: 'Relayed connection (your address is hidden)',
  host: 'Direct connection',
  srflx: 'Direct connection',
  prflx: 'Direct connection',
};

/** The in-call view. */
export function InCall({ peer, call, state, media, video, onHangup }: InCallProps) {
  const remote = useRef<HTMLVideoElement>(null);
  const local = useRef<HTMLVideoElement>(null);
  const [muted, setMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const connected = state === 'connected';
  const now = useTick(connected);
  const stats = useStats(media);

  useEffect(() => {
    if (remote.current !== null && media !== undefined) remote.current.srcObject = media.remote;
    if (local.current !== null && media !== undefined) local.current.srcObject = media.local;
  }, [media]);

  const since = call?.connectedAt;
  const duration = connected && since !== undefined ? formatDuration(now - since) : '';
  return (
    <div
      className={`call-card in-call${video ? ' has-video' : ''}`}
      role="dialog"
      aria-label={`Call with ${peer}`}
    >
      <div className="call-videos">
        {/* The remote element also plays the sound of a voice call. */}
        {/* biome-ignore lint/a11y/useMediaCaption: a live call comes without captions */}
        <video ref={remote} className="remote" autoPlay playsInline aria-label={`${peer}'s video`} />
        {video && <video ref={local} className="local" autoPlay playsInline muted aria-label="Your camera" />}
      </div>
      <h2>{peer}</h2>
      <p className="call-status" data-testid="call-status" aria-live="polite">
        {describeState(state, call)}
        {duration !== '' && (
          <>
            {' · '}
            <span data-testid="call-duration">{duration}</span>
          </>
        )}
      </p>
      <p
        className="call-net"
        data-testid="call-net"
        data-route={stats?.route ?? ''}
        data-bytes-received={stats?.bytesReceived ?? 0}
        data-bytes-sent={stats?.bytesSent ?? 0}
      >
        {stats?.route === undefined ? '' : (ROUTES[stats.route] ?? 'Connected')}
      </p>
      <div className="call-actions">
        <button
          type="button"
          aria-pressed={muted}
          onClick={() => {
            media?.setMuted(!muted);
            setMuted(!muted);
          }}
        >
          {muted ? 'Unmute' : 'Mute'}
        </button>
        {video && (
          <button
            type="button"
            aria-pressed={cameraOff}
            onClick={() => {
              media?.setCameraOff(!cameraOff);
              setCameraOff(!cameraOff);
            }}
          >
            {cameraOff ? 'Camera on' : 'Camera off'}
          </button>
        )}
        <button type="button" className="decline" onClick={onHangup}>
          Hang up
        </button>
      </div>
    </div>
  );
}
