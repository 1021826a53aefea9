/**
 * The conversation a command is about: a contact (`NAME`), or a group (`--group GROUP`, or a NAME that
 * starts with `#`, as `receive` prints groups). Shared by `send`, `send-file`, `history` and `chat`.
 */
import type { GroupInfo, SottoClient } from '@sotto/client';
import { type ParsedArgs, stringOption } from './args.js';
import { usageError } from './exit-codes.js';
import { type GroupTag, groupTag } from './group-directory.js';
import { pickGroup, requireActive } from './group-ref.js';
import { visibleLine } from './visible.js';

/** What the command line names. */
export type ConversationTarget =
  | { readonly kind: 'contact'; readonly name: string }
  | { readonly kind: 'group'; readonly ref: string };

/**
 * Splits the positionals of a command taking `NAME ARGS…` or `--group GROUP ARGS…` into the target and
 * the `count` other arguments.
 * @throws CliError USAGE when the count does not match.
 */
export function conversationArgs(
  args: ParsedArgs,
  count: number,
): { target: ConversationTarget; rest: string[] } {
  const ref = stringOption(args, 'group');
  const all = [...args.positionals];
  let target: ConversationTarget;
  if (ref !== undefined) target = { kind: 'group', ref };
  else {
    const name = all.shift();
    if (name === undefined) throw usageError('missing argument');
    target = name.startsWith('#') ? { kind: 'group', ref: name } : { kind: 'contact', name };
  }
  if (all.length < count) throw usageError('missing argument');
  if (all.length > count) throw usageError(`unexpected argument "${all[count]}"`);
  return { target, rest: all };
}

/** A resolved conversation. */
export interface Conversation {
  /** What the SDK takes: the account name as given, or the group's `#<hex>`. */
  readonly id: string;
  /** How human lines name it (visible). */
  readonly label: string;
  /** For a group: its tag and state. */
  readonly group?: GroupTag & { readonly info: GroupInfo };
}

/**
 * Resolves `target` among this device's groups (see group-ref.ts).
 * @throws CliError GROUP_NOT_FOUND / GROUP_AMBIGUOUS (exit 2); with `send`, NOT_A_GROUP_MEMBER (exit 5)
 *   for a group this account left or was removed from.
 */
export async function openConversation(
  client: SottoClient,
  target: ConversationTarget,
  options: { readonly send: boolean },
): Promise<Conversation> {
  if (target.kind === 'contact') return { id: target.name, label: visibleLine(target.name) };
  const all = await client.listGroups();
  const g = pickGroup(all, target.ref);
  const tag = groupTag(g, all);
  if (options.send) requireActive(g, tag.label);
  return { id: g.id, label: tag.label, group: { ...tag, info: g } };
}
