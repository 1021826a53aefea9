/**
 * `sotto send-file NAME PATH [--caption TEXT]` (or `--group GROUP PATH`): one file, encrypted on this device while it uploads, then
 * announced to every device of NAME and to this account's others. Shows a progress bar on a terminal,
 * progress records with `--json`; Ctrl-C cancels it (the message stays `failed`, exit 130). An upload an
 * earlier run left unfinished (killed, or cut off) is resumed by the SDK once connected, and this command
 * waits for it too before exiting (see uploads.ts).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Message, PathFileSource, SendResult } from '@sotto/client';
import { stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { type Conversation, conversationArgs, openConversation } from '../conversation.js';
import { exitCodeFor } from '../errors.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { GroupDirectory } from '../group-directory.js';
import { findMessage, ownPendingFiles } from '../history-scan.js';
import { checkMessageText, MAX_MESSAGE_CHARS } from '../message-text.js';
import { ProgressDisplay } from '../progress.js';
import { renderUpload } from '../render.js';
import { connect, type Session, withSession } from '../sdk.js';
import { watchUploads } from '../uploads.js';

/** The `send-file` command. */
export const sendFile: Command = {
  name: 'send-file',
  summary: 'send a file (encrypted, resumable, with progress)',
  help: `usage: sotto send-file NAME PATH [--caption TEXT]
       sotto send-file --group GROUP PATH [--caption TEXT]

Encrypts the file at PATH on this device while uploading it to the server (the server stores only
ciphertext), then sends its name, size, media type (from the extension), key and SHA-256 end to end
to every device of NAME and to this account's other devices. --caption adds a text (at most
${MAX_MESSAGE_CHARS} characters). The file may be as large as the server allows (100 MiB by default).

On a terminal a progress bar on stderr shows percent, MiB, MiB/s and the time left; otherwise nothing is
shown until the end. Ctrl-C cancels the upload: the message stays in history as failed (CANCELLED),
the server's copy is deleted, and sotto exits 130.
If sotto is killed or loses the connection mid-upload, the upload is not lost: the next sotto command
on this profile that connects goes on from where the server stopped (send-file also waits until such
earlier uploads are done before exiting; receive goes on with them while it runs). Do not send the file
again. If the connection is lost and no upload progresses for 2 minutes, send-file gives up waiting and
reports the file as queued (exit 0).

Exit codes: 2 when PATH is missing, unreadable or a directory (nothing is sent); 5 when NAME is not an
accepted contact or is blocked (checked before uploading), the file is larger than the server accepts
(FILE_TOO_LARGE) or over the account's quota (QUOTA_EXCEEDED), or NAME refuses it like a message (see
"sotto send"); 130 when cancelled.
--json prints {"type":"progress","id","direction":"up","bytes","total"} lines as the upload goes (of
resumed uploads too), the outcome of each resumed upload ({"type":"sent"|"failed",…,"resumed":true}),
and last {"type":"sent","to","id","sentAt","file":{"name","mediaType","size"}} (or "type":"queued").

--group GROUP sends the file to a group (its id or unambiguous name, as for "sotto send --group"): it
is uploaded once and announced once, encrypted for every member device; exit 5 for a group this
account left or was removed from (NOT_A_GROUP_MEMBER), checked before uploading. --json then adds
"group":{"id","name"}.`,
  options: { caption: { type: 'string' }, group: { type: 'string' } },
  positionals: { min: 1, max: 2 },
  run: async (ctx) => {
    const { target, rest } = conversationArgs(ctx.args, 1);
    const path = rest[0] ?? '';
    const caption = stringOption(ctx.args, 'caption') ?? '';
    if (caption !== '') checkMessageText(caption);
    await checkReadableFile(path);
    const { fileFromPath } = await import('@sotto/client');
    const source = await fileFromPath(path);
    await withSession(ctx, async (session) => {
      // Before connecting: an unknown group is a usage error even offline.
      const to = await openConversation(session.client, target, { send: true });
      await send(ctx, session, to, source, caption);
    });
  },
};

/**
 * Checks that `path` is a readable regular file, before anything is opened or sent.
 * @throws CliError USAGE (exit 2) saying what is wrong with it.
 */
async function checkReadableFile(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(
      code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path} (${code ?? 'error'})`,
    );
  }
  if (info.isDirectory()) throw usageError(`${path} is a directory; send-file sends one file`);
  if (!info.isFile()) throw usageError(`${path} is not a regular file`);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw usageError(`cannot read ${path} (permission denied)`);
  }
}

/**
 * Refuses a recipient the server would refuse anyway, before the whole file is uploaded for nothing.
 * @throws CliError NOT_A_CONTACT or BLOCKED (exit 5).
 */
async function checkContact(client: Session['client'], name: string): Promise<void> {
  const { normalizeAccountName } = await import('@sotto/protocol');
  const account = normalizeAccountName(name);
  const contact = (await client.listContacts()).find((c) => c.account === account);
  if (contact?.state === 'blocked') {
    throw new CliError(
      'BLOCKED',
      `${account} is blocked ("sotto contacts unblock ${account}")`,
      EXIT.REFUSED,
    );
  }
  if (contact?.state !== 'accepted') {
    throw new CliError(
      'NOT_A_CONTACT',
      `${account} is not a contact yet ("sotto contacts add ${account}"); nothing was sent`,
      EXIT.REFUSED,
    );
  }
}

/** Rejects with CANCELLED (exit 130) when the user stops before `work` is done. */
async function unlessStopped<T>(ctx: CommandContext, work: Promise<T>): Promise<T> {
  const stopped = ctx.stopped.then(() => {
    throw new CliError('CANCELLED', 'interrupted; nothing was sent', EXIT.INTERRUPTED);
  });
  stopped.catch(() => {}); // only the race below observes it
  return Promise.race([work, stopped]);
}

async function send(
  ctx: CommandContext,
  session: Session,
  to: Conversation,
  source: PathFileSource,
  caption: string,
): Promise<void> {
  const { client } = session;
  const groups = new GroupDirectory(client);
  await groups.load();
  // Named after this file until an earlier upload is known by its id (the own one's comes later).
  const progress = new ProgressDisplay(ctx.out, { label: source.name });
  const uploads = watchUploads(client, {
    progress,
    onResumedEnd: (m) => {
      const r = renderUpload(m, true, groups.tag(m.conversation));
      ctx.out.emit(r.line, r.json);
    },
  });
  const offProgress = client.on('file-progress', (e) => {
    if (e.direction === 'up') progress.update(e);
  });
  try {
    await unlessStopped(ctx, connect(session));
    if (to.group === undefined) await checkContact(client, to.id);
    const me = await unlessStopped(ctx, client.whoami());
    for (const m of await unlessStopped(ctx, ownPendingFiles(client, me.deviceId))) {
      uploads.watch(m.id, m.file?.name ?? 'file', true);
    }
    const resumed = uploads.pending().length;
    if (resumed > 0) ctx.out.note(`going on with ${resumed} upload(s) an earlier run left unfinished`);
    const sent = await sendOwn(ctx, client, to.id, source, caption, new Set(uploads.pending()), progress);
    const id = sent.messageId;
    if (sent.queued) uploads.watch(id, source.name, false);
    else progress.end(id);
    const settled = await uploads.settle(ctx.stopped);
    progress.clear();
    if (settled === 'stopped') {
      await client.cancelFile(id).catch(() => {}); // only while its upload is still pending
    }
    const own = uploads.latest(id) ?? (await findMessage(client, id));
    if (own === undefined) throw new CliError('INTERNAL', 'the message was lost from history', EXIT.OTHER);
    const left = uploads.pending().filter((p) => p !== id).length;
    if (left > 0)
      ctx.out.note(`${left} earlier upload(s) not finished; they go on with the next sotto command`);
    report(ctx, own, settled === 'stopped', to);
  } finally {
    offProgress();
    uploads.off();
    progress.clear();
  }
}

/**
 * Starts the upload; resolves once it finished (and the message went out) or waits for the connection.
 * Ctrl-C meanwhile cancels it (the SDK's cancelFile). The message id is learnt from the first progress
 * event of an upload that is not one of `earlier` (sendFile only returns it at the end).
 */
async function sendOwn(
  ctx: CommandContext,
  client: Session['client'],
  name: string,
  source: PathFileSource,
  caption: string,
  earlier: ReadonlySet<string>,
  progress: ProgressDisplay,
): Promise<SendResult> {
  let learnt: (id: string) => void = () => {};
  const idKnown = new Promise<string>((resolveId) => {
    learnt = resolveId;
  });
  const offId = client.on('file-progress', (e) => {
    if (e.direction !== 'up' || earlier.has(e.messageId)) return;
    progress.label(e.messageId, source.name);
    learnt(e.messageId);
    offId();
  });
  const sending = client.sendFile(name, source, caption === '' ? {} : { caption });
  let finished = false;
  void ctx.stopped.then(async () => {
    if (finished) return;
    const id = await Promise.race([
      idKnown,
      sending.then(
        (r) => r.messageId,
        () => undefined,
      ),
    ]);
    if (id !== undefined) await client.cancelFile(id).catch(() => {});
  });
  try {
    return await sending;
  } finally {
    finished = true;
    offId();
  }
}

/** Prints how the own upload ended, or throws its failure. */
function report(ctx: CommandContext, m: Message, stopped: boolean, to: Conversation): void {
  if (m.status === 'failed') {
    const code = m.error ?? 'INTERNAL';
    throw new CliError(code, `the file was not sent (${code})`, exitCodeFor(code));
  }
  const r = renderUpload(m, false, to.group);
  ctx.out.emit(r.line, r.json);
  if (stopped) {
    throw new CliError('CANCELLED', 'interrupted while earlier uploads were going on', EXIT.INTERRUPTED);
  }
}
