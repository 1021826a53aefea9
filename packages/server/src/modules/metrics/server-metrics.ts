/** The server's metrics, created once by the composition root and passed to the modules that count. */
import { Counter, Gauge, Histogram, Registry } from './registry.js';

/** Every metric the server exports at `/metrics`. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly framesIn: Counter;
  readonly framesOut: Counter;
  readonly errors: Counter;
  readonly envelopesStored: Counter;
  readonly envelopesDelivered: Counter;
  readonly envelopesExpired: Counter;
  readonly httpDuration: Histogram;
  readonly filesFinished: Counter;
  readonly fileBytesFinished: Counter;
  readonly filesExpired: Counter;
  readonly filesCollected: Counter;
}

/** Reads for the gauges: open authenticated connections and the last known mailbox depth. */
export interface GaugeSources {
  connections(): number;
  mailboxDepth(): number;
  /** The last known finished files, their bytes, and unfinished uploads (of the whole deployment). */
  files?(): { readonly files: number; readonly bytes: number; readonly uploads: number };
  /** Devices with an authenticated connection to this node. */
  devicesOnline?(): number;
}

/** Creates the metric set. */
export function createServerMetrics(sources: GaugeSources): ServerMetrics {
  const registry = new Registry();
  registry.register(new Gauge('sotto_connections', 'Open WebSocket connections.', sources.connections));
  registry.register(
    new Gauge(
      'sotto_devices_online',
      'Devices with an authenticated connection to this node.',
      () => sources.devicesOnline?.() ?? 0,
    ),
  );
  registry.register(
    new Gauge('sotto_mailbox_depth', 'Envelopes waiting in all mailboxes.', sources.mailboxDepth),
  );
  const files = () => sources.files?.() ?? { files: 0, bytes: 0, uploads: 0 };
  registry.register(new Gauge('sotto_files_stored', 'Finished files stored.', () => files().files));
  registry.register(
    new Gauge('sotto_files_stored_bytes', 'Ciphertext bytes of finished files stored.', () => files().bytes),
  );
  registry.register(
    new Gauge('sotto_file_uploads', 'Uploads authorized or in progress.', () => files().uploads),
  );
  return {
    registry,
    framesIn: registry.register(new Counter('sotto_frames_in_total', 'WebSocket frames received, by type.')),
    framesOut: registry.register(new Counter('sotto_frames_out_total', 'WebSocket frames sent, by type.')),
    errors: registry.register(new Counter('sotto_errors_total', 'Error answers sent, by code.')),
    envelopesStored: registry.register(new Counter('sotto_envelopes_stored_total', 'Envelopes stored.')),
    envelopesDelivered: registry.register(
      new Counter('sotto_envelopes_delivered_total', 'Envelopes acknowledged by their recipient device.'),
    ),
    envelopesExpired: registry.register(
      new Counter('sotto_envelopes_expired_total', 'Envelopes deleted unread.'),
    ),
    httpDuration: registry.register(
      new Histogram(
        'sotto_http_request_duration_seconds',
        'HTTP request latency, by route and status.',
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      ),
    ),
    filesFinished: registry.register(
      new Counter('sotto_file_uploads_finished_total', 'Uploads finished by this node.'),
    ),
    fileBytesFinished: registry.register(
      new Counter(
        'sotto_file_upload_bytes_finished_total',
        'Ciphertext bytes of the uploads finished by this node.',
      ),
    ),
    filesExpired: registry.register(
      new Counter('sotto_files_expired_total', 'Files and unfinished uploads deleted when they expired.'),
    ),
    filesCollected: registry.register(
      new Counter(
        'sotto_files_collected_total',
        'Stored bytes without a record, and records without bytes, deleted.',
      ),
    ),
  };
}
