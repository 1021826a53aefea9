/**
 * `--smtp-url smtp://[USER[:PASSWORD]@]HOST[:PORT]` (or `smtps://`, TLS from the first byte) and
 * `--smtp-from ADDRESS`: the mail server the notification emails go through. The URL may hold the
 * password (percent-encoded), so it is never printed or logged; `SOTTO_SMTP_URL` keeps it off command
 * lines, which other local users can read.
 */

/** How to reach the mail server, and the sender of every email. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (`smtps://`, usually port 465); else STARTTLS when offered. */
  readonly secure: boolean;
  /**
   * Refuse to go on without STARTTLS: set when credentials would travel to a host that is not this
   * machine, so a network attacker who strips STARTTLS cannot read the password.
   */
  readonly requireTls: boolean;
  readonly auth: { readonly user: string; readonly pass: string } | undefined;
  /** The `From:` of every email, e.g. `Sotto <sotto@example.org>`. */
  readonly from: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** `name@domain` alone or in angle brackets after a display name; no line breaks or other controls. */
const FROM = /^(?:[^\p{Cc}<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/u;

/**
 * Parses the two options. Throws an Error with a sentence for the operator when the URL is not an
 * `smtp://` or `smtps://` URL with a host (no path, no query), or the sender is missing or not an address.
 */
export function parseSmtp(spec: string, from: string | undefined): SmtpSettings {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error('--smtp-url takes smtp://[USER[:PASSWORD]@]HOST[:PORT] or smtps://…');
  }
  const secure = url.protocol === 'smtps:';
  if (
    (!secure && url.protocol !== 'smtp:') ||
    url.hostname === '' ||
    (url.pathname !== '' && url.pathname !== '/') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new Error('--smtp-url takes smtp://[USER[:PASSWORD]@]HOST[:PORT] or smtps://… (no path or query)');
  }
  if (from === undefined || !FROM.test(from.trim())) {
    throw new Error('--smtp-from is needed with --smtp-url: an address, e.g. "Sotto <sotto@example.org>"');
  }
  const user = decodeURIComponent(url.username);
  const auth = user === '' ? undefined : { user, pass: decodeURIComponent(url.password) };
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    requireTls: !secure && auth !== undefined && !LOOPBACK.has(url.hostname),
    auth,
    from: from.trim(),
  };
}
