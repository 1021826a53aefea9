/**
 * The media side of a call: an RTCPeerConnection with this device's camera and microphone, wired to an
 * SDK `Call`. The SDK carries the SDP and ICE candidates end to end (so the DTLS fingerprints in the SDP
 * are authenticated by the sessions); this file only moves them between the two. Candidates that arrive
 * before the remote description is set wait for it.
 */
import type { Call, CallMedia, IceCandidateLine } from '@sotto/client';

/** A peer connection with local media. */
export class PeerMedia {
  readonly pc: RTCPeerConnection;
  readonly remote = new MediaStream();
  private call: Call | undefined;
  private readonly localQueue: IceCandidateLine[] = [];
  private readonly remoteQueue: IceCandidateLine[] = [];
  private remoteSet = false;
  private closed = false;

  private constructor(
    config: RTCConfiguration,
    /** The camera and microphone. */
    readonly local: MediaStream,
  ) {
    this.pc = new RTCPeerConnection(config);
    for (const track of local.getTracks()) this.pc.addTrack(track, local);
    this.pc.ontrack = (e) => {
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track);
    };
    this.pc.onicecandidate = (e) => {
      if (e.candidate === null || e.candidate.candidate === '') return;
      const line: IceCandidateLine = {
        candidate: e.candidate.candidate,
        ...(e.candidate.sdpMid === null ? {} : { sdpMid: e.candidate.sdpMid }),
        ...(e.candidate.sdpMLineIndex === null ? {} : { sdpMLineIndex: e.candidate.sdpMLineIndex }),
      };
      if (this.call === undefined) this.localQueue.push(line);
      else this.call.addCandidates([line]);
    };
  }

  /** Opens the camera (for video) and microphone. Throws the browser's error (NotAllowedError…). */
  static async open(config: RTCConfiguration, media: CallMedia): Promise<PeerMedia> {
    const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: media === 'video' });
    return new PeerMedia(config, local);
  }

  /** Creates the offer and sets it locally; returns its SDP. */
  async offer(): Promise<string> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return offer.sdp ?? '';
  }

  /** Sets the caller's offer and creates the answer; returns its SDP. */
  async answer(offerSdp: string): Promise<string> {
    await this.setRemote({ type: 'offer', sdp: offerSdp });
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    return answer.sdp ?? '';
  }

  /** Wires `call`: candidates both ways, the caller's answer, connection state, and closing when it ends. */
  attach(call: Call): void {
    this.call = call;
    if (this.localQueue.length > 0) call.addCandidates(this.localQueue.splice(0));
    call.onCandidates((lines) => {
      this.remoteQueue.push(...lines);
      this.drain();
    });
    call.on('answer', ({ sdp }) => {
      this.setRemote({ type: 'answer', sdp }).catch(() => void call.fail());
    });
    call.on('state', (e) => {
      if (e.state === 'ended') this.close();
    });
    this.pc.onconnectionstatechange = () => {
      const s = this.pc.connectionState;
      if (s === 'connected') call.connected();
      else if (s === 'failed') void call.fail();
    };
  }

  /** Turns the microphone on or off. */
  setMuted(muted: boolean): void {
    for (const t of this.local.getAudioTracks()) t.enabled = !muted;
  }

  /** Turns the camera on or off (the video track stays, sending black). */
  setCameraOff(off: boolean): void {
    for (const t of this.local.getVideoTracks()) t.enabled = !off;
  }

  /** Stops the devices and closes the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.local.getTracks()) t.stop();
    this.pc.close();
  }

  private async setRemote(d: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(d);
    this.remoteSet = true;
    this.drain();
  }

  private drain(): void {
    if (!this.remoteSet || this.closed) return;
    for (const line of this.remoteQueue.splice(0)) {
      if (line.candidate === '') continue;
      this.pc
        .addIceCandidate({
          candidate: line.candidate,
          ...(line.sdpMid === undefined ? {} : { sdpMid: line.sdpMid }),
          ...(line.sdpMLineIndex === undefined ? {} : { sdpMLineIndex: line.sdpMLineIndex }),
        })
        .catch(() => undefined); // one bad candidate does not end the call; ICE tries the others
    }
  }
}
