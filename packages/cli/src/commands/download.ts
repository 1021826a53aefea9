/**
 * `sotto download MESSAGE_ID [--to PATH]`: fetches the file of a file message in this device's history
 * later (after `receive --no-download`, after a download that failed for now, or one's own upload), with
 * the same verification, safe naming and progress as `receive`.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { positional, stringOption } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { ensureWritableDir, filesDir } from '../files-dir.js';
import { GroupDirectory } from '../group-directory.js';
import { findMessage } from '../history-scan.js';
import { ProgressDisplay } from '../progress.js';
import { renderMessage } from '../render.js';
import { type Destination, saveFile } from '../saved-file.js';
import { withConnection } from '../sdk.js';

/** The `download` command. */
export const download: Command = {
  name: 'download',
  summary: 'download the file of a file message',
  help: `usage: sotto download MESSAGE_ID [--to PATH]

Downloads the file of message MESSAGE_ID (the "id" that receive and history print) and verifies it
(every chunk and the SHA-256 its sender stated) before saving it: by default in PROFILE/files under its
sender's name made safe and numbered ("name (1).ext") rather than replacing a file; --to DIR saves it
in DIR the same way; --to FILE saves it as FILE, which must not exist. A file that fails verification
is not saved at all (FILE_INTEGRITY, exit 1); one the server no longer has is FILE_NOT_FOUND (exit 1).
A progress bar shows on a terminal; Ctrl-C cancels (nothing saved, exit 130).
Exit 2 for an ID that is not 32 hexadecimal characters, not in this device's history
(MESSAGE_NOT_FOUND) or not a file message, and for a PATH that exists (FILE_EXISTS).
--json prints {"type":"progress","id","direction":"down","bytes","total"} lines, then the message
record of "sotto receive --json" with "file":{…,"savedTo"}.`,
  options: { to: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async (ctx) => {
    const id = positional(ctx.args, 0);
    if (!/^[0-9a-f]{32}$/.test(id))
      throw usageError(`"${id}" is not a message ID (32 hexadecimal characters)`);
    const target = destination(ctx);
    if ('dir' in target) await ensureWritableDir(target.dir);
    await withConnection(ctx, async ({ client }) => {
      const m = await findMessage(client, id);
      if (m === undefined)
        throw new CliError('MESSAGE_NOT_FOUND', `no message ${id} in this device's history`, EXIT.USAGE);
      const file = m.file;
      if (file === undefined) throw usageError(`message ${id} has no file`);
      const progress = new ProgressDisplay(ctx.out);
      const off = client.on('file-progress', (e) => {
        if (e.messageId === id) progress.update(e);
      });
      let stopped = false;
      void ctx.stopped.then(() => {
        stopped = true;
        return client.cancelFile(id).catch(() => {});
      });
      try {
        if (stopped) throw new CliError('CANCELLED', 'interrupted; nothing was saved', EXIT.INTERRUPTED);
        const to: Destination = 'dir' in target ? { dir: target.dir, name: file.name } : target;
        const savedTo = await saveFile(client, m, to, progress);
        const received = ['available', 'downloading', 'failed'].includes(file.state);
        const groups = new GroupDirectory(client);
        if (m.conversation.startsWith('#')) await groups.load();
        const outcome = { state: received ? 'downloaded' : file.state, savedTo } as const;
        const r = renderMessage(m, outcome, groups.tag(m.conversation));
        ctx.out.emit(r.line, r.json);
      } finally {
        off();
        progress.clear();
      }
    });
  },
};

/**
 * Where `--to` points: an existing directory (a new name in it), else a file to create (its directory
 * must exist). Without `--to`, the profile's files directory.
 * @throws CliError USAGE when PATH exists as a file, or its directory does not exist.
 */
function destination(ctx: CommandContext): { readonly dir: string } | { readonly path: string } {
  const to = stringOption(ctx.args, 'to');
  if (to === undefined) return { dir: filesDir(ctx.args, ctx.env) };
  const path = resolve(to);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return { dir: path };
    throw new CliError('FILE_EXISTS', `${to} exists; sotto never replaces a file`, EXIT.USAGE);
  }
  if (basename(path) === '' || !existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) {
    throw usageError(`cannot save to ${to}: its directory does not exist`);
  }
  return { path };
}
