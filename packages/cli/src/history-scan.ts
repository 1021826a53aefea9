/**
 * Finding messages in the local history when only an id (or a property) is known. The SDK reads history
 * per conversation, so these walk the conversations with the contacts this device knows (a contact
 * removed since keeps its history, but is not walked) and those of its groups (left ones too), newest
 * messages first.
 */
import type { Message, SottoClient } from '@sotto/client';

/** Messages read per history request. */
const PAGE = 500;

/** How far back {@link ownPendingFiles} looks in each conversation. */
const PENDING_DEPTH = 500;

async function conversations(client: SottoClient): Promise<string[]> {
  const contacts = (await client.listContacts()).map((c) => c.account);
  const groups = (await client.listGroups()).map((g) => g.id);
  return [...contacts, ...groups];
}

/**
 * This device's file messages that have not reached the server yet: the upload is in progress (or was
 * interrupted), or the file is uploaded and its message still queued. Looks at the latest
 * {@link PENDING_DEPTH} messages of each conversation.
 */
export async function ownPendingFiles(client: SottoClient, deviceId: number): Promise<Message[]> {
  const found: Message[] = [];
  for (const name of await conversations(client)) {
    for (const m of await client.history(name, { limit: PENDING_DEPTH })) {
      if (isOwnPendingFile(m, deviceId)) found.push(m);
    }
  }
  return found;
}

/** True for a file message of device `deviceId` still on its way to the server. */
function isOwnPendingFile(m: Message, deviceId: number): boolean {
  return (
    m.file !== undefined && m.direction === 'out' && m.from.deviceId === deviceId && m.status === 'pending'
  );
}

/** Message `id`, from any conversation (walking each back to its start), or undefined. */
export async function findMessage(client: SottoClient, id: string): Promise<Message | undefined> {
  for (const name of await conversations(client)) {
    let page = await client.history(name, { limit: PAGE });
    for (;;) {
      const hit = page.find((m) => m.id === id);
      if (hit !== undefined) return hit;
      const oldest = page[0];
      if (oldest === undefined || page.length < PAGE) break;
      page = await client.history(name, { limit: PAGE, beforeId: oldest.id });
    }
  }
  return undefined;
}
