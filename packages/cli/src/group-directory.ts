/**
 * How a group is named in what sotto prints. A group's name is chosen by its admins, so it is shown like
 * any text from the network (escaped, see visible.ts), and quoted when it holds a character that could
 * make a line read differently (`[`, `]`, `"`, `\`, `:`): `[#"team] bob: x"] alice: hi` cannot pass for
 * a message of bob's. Two groups of the same name (a contact may create one named like another) are told
 * apart by the start of their id: `[#team ~1a2b3c4d]`. JSON records carry `"group":{"id","name"}`.
 *
 * The directory keeps the groups this device knows and reloads them when one changes, in one queue, so
 * a group event is printed before the messages that follow it.
 */
import type { GroupInfo, SottoClient } from '@sotto/client';
import { visibleLine } from './visible.js';

/** A group as printed: its id, its name and the label human lines show. */
export interface GroupTag {
  /** `#<32 hex>`. */
  readonly id: string;
  /** The name, or null when this device does not know the group. */
  readonly name: string | null;
  /** `#team`, `#"odd: name"`, `#team ~1a2b3c4d` (already made visible). */
  readonly label: string;
}

/** A name shown as is: no brackets, quotes, backslashes or colons, nor surrounding spaces. */
const PLAIN = /^[^[\]"\\:]+$/u;

/** The label of group name `name` (visible, quoted unless plain). */
export function nameLabel(name: string): string {
  const plain = PLAIN.test(name) && name.trim() === name;
  return visibleLine(plain ? name : JSON.stringify(name));
}

/** The short form of a group id: `~` and its first 8 hex digits. */
export function shortId(id: string): string {
  return `~${id.replace(/^#/, '').slice(0, 8)}`;
}

const fold = (name: string) => name.normalize('NFC').toLowerCase();

/** The tag of `g` among `all` (the groups this device knows). */
export function groupTag(g: GroupInfo, all: readonly GroupInfo[]): GroupTag {
  const twin = all.some((o) => o.id !== g.id && fold(o.name) === fold(g.name));
  return { id: g.id, name: g.name, label: `#${nameLabel(g.name)}${twin ? ` ${shortId(g.id)}` : ''}` };
}

/** The tag of a group this device does not know (yet). */
export function unknownTag(id: string): GroupTag {
  return { id, name: null, label: `#${shortId(id)}` };
}

/** The `group` object of a JSON record. */
export function groupRef(tag: GroupTag): { id: string; name: string | null } {
  return { id: tag.id, name: tag.name };
}

/** The groups of one client, kept current for printing. */
export class GroupDirectory {
  private groups: GroupInfo[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly client: SottoClient) {}

  /** Loads the groups (before anything is printed). */
  async load(): Promise<void> {
    this.groups = await this.client.listGroups();
  }

  /** The tag of conversation `id` from what is loaded (a group id), or undefined for a 1:1 conversation. */
  tag(id: string): GroupTag | undefined {
    if (!id.startsWith('#')) return undefined;
    const g = this.groups.find((x) => x.id === id);
    return g === undefined ? unknownTag(id) : groupTag(g, this.groups);
  }

  /** The group `id` as loaded. */
  info(id: string): GroupInfo | undefined {
    return this.groups.find((x) => x.id === id);
  }

  /**
   * Runs `then` after the groups were reloaded, in order with the earlier calls (a group changed: print
   * its event with its new name).
   */
  afterReload(then: () => void): Promise<void> {
    const run = this.queue.then(async () => {
      await this.load().catch(() => {});
      then();
    });
    this.queue = run;
    return run;
  }

  /** Resolves once the group events announced so far are printed. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * The tag of conversation `id` once the changes announced so far are loaded; a group not known yet is
   * looked up again (it may have been joined a moment ago).
   */
  async current(id: string): Promise<GroupTag | undefined> {
    await this.queue;
    if (id.startsWith('#') && this.info(id) === undefined) await this.load().catch(() => {});
    return this.tag(id);
  }
}
