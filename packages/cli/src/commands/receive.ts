/**
 * `sotto receive`: prints the messages waiting in the profile's inbox (received while offline or while
 * other commands ran), then connects and prints every message, receipt, presence and contact change as it
 * arrives, until `--timeout`, `--count`, stdin closing, or Ctrl-C. Each message is printed once: it leaves
 * the inbox only after it was printed (see inbox.ts). A file message's file is saved first (see
 * receive-files.ts) and the record says where.
 */
import type { Message, SottoClient } from '@sotto/client';
import { countOption, flagOption, secondsOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { describeFailure } from '../errors.js';
import { usageError } from '../exit-codes.js';
import { ensureWritableDir, filesDir } from '../files-dir.js';
import { GroupDirectory } from '../group-directory.js';
import { ownPendingFiles } from '../history-scan.js';
import { inboxReporter } from '../inbox.js';
import { printEvents } from '../listen.js';
import { ProgressDisplay } from '../progress.js';
import { receivedFiles } from '../receive-files.js';
import { renderMessage, renderUpload } from '../render.js';
import { connect, type Session, withSession } from '../sdk.js';
import { armStop } from '../until.js';
import { type UploadWatcher, watchUploads } from '../uploads.js';

/** Files from this size on show a progress bar (and progress records with --json). */
const PROGRESS_FROM_BYTES = 1024 * 1024;

/** The `receive` command. */
export const receive: Command = {
  name: 'receive',
  summary: 'print incoming messages, receipts and presence changes',
  help: `usage: sotto receive [--timeout SECONDS] [--count N] [--mark-read] [--typing]
                     [--files DIR | --no-download]

Prints the messages that are waiting — received while this device was offline, or while another sotto
command ran on this profile (send, contacts, …) — oldest arrival first, then connects and prints events
as they arrive. Every message is printed by exactly one receive (or chat): once printed it no longer
waits, and one not printed yet (e.g. past --count) is printed by the next receive.
It stops, exiting 0:
  --timeout SECONDS  after SECONDS (stdin is then ignored)
  --count N          after N messages were printed (only N leave the inbox)
  otherwise          when stdin closes (Ctrl-D, or the end of a pipe)
  always             on Ctrl-C / SIGTERM
--mark-read sends read receipts for incoming messages (delivery receipts are always sent);
--typing also prints typing indicators.

Files: a file message's file is downloaded, verified (every chunk and the SHA-256 its sender stated)
and saved in DIR (--files; default PROFILE/files) before the message is printed, under its sender's
name made safe (no path, no control characters, not hidden) and numbered ("name (1).ext") rather than
replacing any file. One that fails verification is not saved at all (FILE_INTEGRITY). Files of 1 MiB
or more show a progress bar on a terminal. --no-download only reports files ("sotto download ID"
fetches one later). A download cut short by --timeout or Ctrl-C leaves its message waiting for the next
receive. Uploads an earlier "sotto send-file" left unfinished go on while receive runs (and after it,
with the next sotto command).

--json prints one object per line, each with "type":
  {"type":"message","id","conversation","direction":"in"|"out","from","device","text","sentAt",
   "seq","receivedAt","status","error"?,"file"?}  (sentAt, receivedAt: ms since the epoch; status
                "pending", "sent", "delivered", "read" or "failed" with its error code; text is a
                file's caption, "" without one)
     "file":{"name","mediaType","size","state","savedTo"?,"error"?}  (state "downloaded" with savedTo,
                "available" when not downloaded, "failed" with error FILE_INTEGRITY or FILE_NOT_FOUND;
                another error code when the download failed for now)
     "group":{"id","name"}  (a group's message; "conversation" is then the group's id, #<32 hex>)
  {"type":"progress","id","direction":"down"|"up","bytes","total"}  (files of 1 MiB or more)
  {"type":"sent"|"failed",…,"resumed":true}  (an upload an earlier send-file left, see send-file)
  {"type":"receipt","kind":"delivered"|"read","conversation","from","device","messageIds"}
  {"type":"group","kind","group":{"id","name"},"by","added"?,"removed"?,"admins"?}  (kind "joined":
                this account was added by "by"; "members": accounts "added"/"removed" (neither when
                only devices changed); "renamed" (group.name is the new name); "admins" (the admins now);
                "removed": this account was removed by "by"; "left", "created": by this device)
  {"type":"presence","from","state","text"?,"lastSeen"?}
  {"type":"contact","kind","from","state"}
  {"type":"identity-changed","from","verified"}
  {"type":"devices-changed","from","added","removed"}
  {"type":"typing","from","device","typing"}
  {"type":"connection","state":"connecting"|"online"|"offline","server"?}
  {"type":"error","code","message","group"?}  (a problem in the background; receiving goes on; "group"
                {"id","name"} and the line's "[#team]" name the group it is about. For groups:
                MLS_INVALID: a group message or change that does not verify (or a replay) was refused;
                GROUP_CREDENTIAL_INVALID: a member device not on its account's signed device list was
                refused; NOT_GROUP_ADMIN: a change by a member who is not an admin was refused;
                GROUP_COMMIT_MISSING: a group's messages wait for a change the server has not delivered)

Groups: a group's messages read "[HH:MM] [#team] alice: hi" (the name is quoted when it holds
brackets, quotes or colons, and followed by the start of the id, "[#team ~1a2b3c4d]", when another group
has the same name); group changes read "• [#team] members +carol (by alice)".`,
  options: {
    timeout: { type: 'string' },
    count: { type: 'string' },
    'mark-read': { type: 'boolean' },
    typing: { type: 'boolean' },
    files: { type: 'string' },
    'no-download': { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  run: async (ctx) => {
    const timeoutSeconds = secondsOption(ctx.args, 'timeout');
    const count = countOption(ctx.args, 'count');
    const markRead = flagOption(ctx.args, 'mark-read');
    const download = !flagOption(ctx.args, 'no-download');
    if (!download && ctx.args.values.files !== undefined)
      throw usageError('--files and --no-download exclude each other');
    const dir = download ? filesDir(ctx.args, ctx.env) : undefined;
    if (dir !== undefined) await ensureWritableDir(dir);
    await withSession(ctx, async (session) => {
      const { client } = session;
      const groups = new GroupDirectory(client);
      await groups.load();
      const stop = armStop({
        timeoutSeconds,
        stdin: timeoutSeconds === undefined ? ctx.io.stdin : undefined,
        stopped: ctx.stopped,
      });
      const progress = new ProgressDisplay(ctx.out, { minBytes: PROGRESS_FROM_BYTES });
      const uploads = watchUploads(client, {
        progress,
        onResumedEnd: (m) => {
          const r = renderUpload(m, true, groups.tag(m.conversation));
          ctx.out.emit(r.line, r.json);
        },
      });
      let connecting: Promise<void> | undefined;
      const ready = () => {
        connecting ??= connect(session);
        return connecting;
      };
      const files = receivedFiles(client, { dir, progress, ready });
      void stop.reason.then(() => files.cancel());
      const reads = readMarker(client);
      let seen = 0;
      const reporter = inboxReporter(client, {
        done: () => stop.isStopped(),
        report: async (m) => {
          const outcome = await files.take(m);
          if (outcome === 'kept') return false;
          const r = renderMessage(m, outcome, await groups.current(m.conversation));
          ctx.out.emit(r.line, r.json);
          if (markRead && m.direction === 'in') reads.add(m);
          seen++;
          if (count !== undefined && seen >= count) stop.finish();
          return true;
        },
      });
      const offProgress = client.on('file-progress', (e) => progress.update(e));
      const off = printEvents(client, ctx.out, {
        groups,
        typing: flagOption(ctx.args, 'typing'),
        messages: false,
        onMessage: () => {
          reporter.drain().catch((err) => fail(ctx, err));
        },
      });
      try {
        // What waited locally first (no network needed but for files), then what the server kept, then live.
        await Promise.race([reporter.drain(), stop.reason]);
        // Read receipts need a connection even when --count was met from the inbox alone.
        if (!stop.isStopped() || reads.pending()) {
          const connected = ready();
          connected.catch(() => {}); // a failure after a stop is moot; before it, the race below throws it
          await Promise.race([connected, stop.isStopped() ? connected : stop.reason]);
        }
        if (!stop.isStopped()) {
          await followUploads(session, uploads).catch((err) => fail(ctx, err));
          ctx.out.note('receiving… (Ctrl-C to stop)');
        }
        await stop.reason;
        await reporter.drain();
        await groups.idle();
        await reads.flush();
        const left = uploads.pending().length;
        if (left > 0) ctx.out.note(`${left} upload(s) not finished; they go on with the next sotto command`);
      } finally {
        off();
        offProgress();
        uploads.off();
        progress.clear();
      }
    });
  },
};

/** Watches the uploads the SDK resumed after connecting (their progress and how they end). */
async function followUploads(session: Session, uploads: UploadWatcher): Promise<void> {
  const me = await session.client.whoami();
  for (const m of await ownPendingFiles(session.client, me.deviceId)) {
    uploads.watch(m.id, m.file?.name ?? 'file', true);
  }
}

/** Prints a failure of the inbox (a store error) as an `error` record; receiving goes on. */
function fail(ctx: CommandContext, err: unknown): void {
  const f = describeFailure(err);
  ctx.out.emit(`! ${f.message} [${f.code}]`, { type: 'error', code: f.code, message: f.message });
}

/** Collects the incoming messages to mark read, and marks them while connected. */
function readMarker(client: SottoClient) {
  const waiting = new Map<string, string[]>();
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!client.online) return sending;
    for (const [conversation, ids] of waiting) {
      sending = sending.then(() => client.markRead(conversation, ids).catch(() => {}));
    }
    waiting.clear();
    return sending;
  };
  client.on('connection', (e) => {
    if (e.state === 'online') void flush();
  });
  return {
    add(m: Message) {
      waiting.set(m.conversation, [...(waiting.get(m.conversation) ?? []), m.id]);
      void flush();
    },
    pending: () => waiting.size > 0,
    flush,
  };
}
