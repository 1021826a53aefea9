/**
 * HTTP paths. API bodies are CBOR (`application/cbor`); the operational endpoints are not.
 */

/** Every HTTP path of protocol version 1 (`:name` is a normalized account name). */
export const ROUTES = {
  /** WebSocket upgrade for one device connection. */
  ws: '/v1/ws',
  /** POST: OPAQUE registration, step 1. */
  registerStart: '/v1/accounts/register/start',
  /** POST: OPAQUE registration, step 2; creates the account and its first device. */
  registerFinish: '/v1/accounts/register/finish',
  /** POST: OPAQUE login, step 1. */
  loginStart: '/v1/login/start',
  /** POST: OPAQUE login, step 2; returns a login ticket and the encrypted backup. */
  loginFinish: '/v1/login/finish',
  /** POST: add a device using a login ticket. */
  devices: '/v1/devices',
  /** GET: an account's identity key, device list and certificates. */
  accountDevices: '/v1/accounts/:name/devices',
  /**
   * tus 1.0.0 resumable uploads of encrypted files (POST creates, HEAD/PATCH resume, with the bearer token
   * from `files.authorize`); `GET {files}/{fileId}` downloads a finished file (Range supported).
   */
  files: '/v1/files',
  /** GET: liveness (200 while the process runs). */
  healthz: '/healthz',
  /** GET: readiness (200 when the store and bus answer, else 503). */
  readyz: '/readyz',
  /** GET: Prometheus text exposition. */
  metrics: '/metrics',
} as const;

/** The path of `GET /v1/accounts/:name/devices` for `name` (expects a normalized name). */
export function accountDevicesPath(name: string): string {
  return ROUTES.accountDevices.replace(':name', encodeURIComponent(name));
}
