/**
 * Subscribes to a client's events and prints each one (as a JSON line or a human line) — shared by
 * `receive` and `chat`. Returns the function that unsubscribes. Group events are printed once the group
 * directory reloaded the group (so with its new name), in order (see group-directory.ts).
 */
import type { SottoClient } from '@sotto/client';
import { type GroupDirectory, unknownTag } from './group-directory.js';
import type { Output } from './output.js';
import {
  type Rendered,
  renderContact,
  renderDevicesChanged,
  renderIdentityChanged,
  renderMessage,
  renderPresence,
  renderReceipt,
  renderTyping,
} from './render.js';
import { renderClientError, renderGroupEvent } from './render-groups.js';
import { visibleLine } from './visible.js';

/** Options of {@link printEvents}. */
export interface PrintOptions {
  /** Only events of this conversation (chat): an account, or a group `#<hex>`. */
  readonly only?: string;
  /** The groups, to name them in group messages, receipts and typing, and to print group events. */
  readonly groups: GroupDirectory;
  /** Print typing indicators (default false: they are noisy in a log). */
  readonly typing?: boolean;
  /** Print messages as their events come (default true; `receive` prints them from the inbox instead). */
  readonly messages?: boolean;
  /** Called after each message event (after printing it, when messages are printed). */
  readonly onMessage?: (m: Parameters<typeof renderMessage>[0]) => void;
  /** Where human lines go (default `out.text`; chat redraws its prompt). */
  readonly print?: (r: Rendered) => void;
}

/** Prints every event of `client` to `out`; returns the unsubscribe function. */
export function printEvents(client: SottoClient, out: Output, options: PrintOptions): () => void {
  const show =
    options.print ??
    ((r: Rendered) => {
      out.emit(r.line, r.json);
    });
  const about = (account: string) => options.only === undefined || options.only === account;
  const groups = options.groups;
  const offs = [
    client.on('message', (m) => {
      if (!about(m.conversation)) return;
      if (options.messages !== false) show(renderMessage(m, undefined, groups.tag(m.conversation)));
      options.onMessage?.(m);
    }),
    client.on('receipt', (r) => about(r.conversation) && show(renderReceipt(r, groups.tag(r.conversation)))),
    client.on('group', (e) => {
      if (!about(e.id)) return;
      void groups.afterReload(() => {
        show(
          renderGroupEvent(e, groups.tag(e.id) ?? { id: e.id, name: null, label: e.id }, groups.info(e.id)),
        );
      });
    }),
    client.on('presence', (p) => about(p.account) && show(renderPresence(p))),
    client.on('contact-event', (c) => about(c.account) && show(renderContact(c))),
    client.on('identity-changed', (e) => about(e.account) && show(renderIdentityChanged(e))),
    client.on('devices-changed', (e) => about(e.account) && show(renderDevicesChanged(e))),
    client.on('connection', (c) =>
      show({
        json: { type: 'connection', state: c.state, ...(c.server === undefined ? {} : { server: c.server }) },
        line: `• ${c.state}${c.server === undefined ? '' : ` (${visibleLine(c.server)})`}`,
      }),
    ),
    client.on('error', (e) => {
      const about = e.conversation;
      show(renderClientError(e, about === undefined ? undefined : (groups.tag(about) ?? unknownTag(about))));
    }),
  ];
  if (options.typing === true)
    offs.push(
      client.on('typing', (t) => about(t.conversation) && show(renderTyping(t, groups.tag(t.conversation)))),
    );
  return () => {
    for (const off of offs) off();
  };
}
