/**
 * A real SMTP server (`smtp-server`) in the test process, on an ephemeral port of 127.0.0.1, that keeps
 * every email it accepts (envelope and raw message). It asks for a user name and password (AUTH PLAIN or
 * LOGIN; allowed without TLS on loopback), like a submission server. It can stop and start again on the
 * same port, so a test can take the mail server away and bring it back.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the SMTP server received it. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The whole message as sent (headers and body). */
  readonly raw: string;
}

/** The account the server accepts. */
export const SMTP_USER = 'sotto';
export const SMTP_PASS = 'p@ss word';

/** A running SMTP server. */
export class TestSmtp {
  /** Every email accepted, oldest first. */
  readonly mails: ReceivedMail[] = [];
  private waiters: { pred: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  private server: SMTPServer | undefined;
  /** AUTH attempts with a wrong user or password. */
  badLogins = 0;

  private constructor(private portNumber: number) {}

  /** Starts a server on a free port (or on `port`). */
  static async start(port = 0): Promise<TestSmtp> {
    const smtp = new TestSmtp(port);
    await smtp.listen();
    return smtp;
  }

  get port(): number {
    return this.portNumber;
  }

  /** The `--smtp-url` reaching this server with its account. */
  get url(): string {
    return `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${this.portNumber}`;
  }

  /** Listens again (on the same port once it had one). */
  async listen(): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASS) {
          callback(null, { user: auth.username });
          return;
        }
        this.badLogins++;
        callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          this.received({
            from,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNumber, '127.0.0.1', () => resolve());
    });
    server.on('error', () => {});
    this.portNumber = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening (the port stays this server's number, for {@link listen}). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next email matching `pred` (already received or arriving within `timeoutMs`). */
  next(pred: (m: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
    const found = this.mails.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (m: ReceivedMail) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no such email within ${timeoutMs} ms; received ${this.mails.length}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Emails to `address`. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  private received(mail: ReceivedMail): void {
    this.mails.push(mail);
    for (const w of this.waiters.filter((w) => w.pred(mail))) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(mail);
    }
  }
}

/** The verification code in a verification email. */
export function codeIn(mail: ReceivedMail): string {
  const m = /Your code is (\d{6})/.exec(mail.raw);
  if (m?.[1] === undefined) throw new Error('no code in the email');
  return m[1];
}

/** A header of a raw email (unfolded), or undefined. */
export function header(mail: ReceivedMail, name: string): string | undefined {
  const head = mail.raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
