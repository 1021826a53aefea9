/**
 * What the web client needs from the SDK for groups (issue 12) and does not get yet, with two people in
 * Node (the real SDK and server). Each gap is an `it.fails` test: when the SDK closes it, the test fails,
 * and it becomes an `it` (and the page's workaround goes).
 *
 * 1. A refusal names its group. erin sends the group a well-formed MLS message that cannot be opened;
 *    dave's client refuses it (MLS_INVALID) and the group goes on, but the `error` event names no
 *    conversation, so the page can only say "in one of your groups" instead of warning in the group.
 * 2. A classic (X25519) group can take members. Devices publish X-Wing KeyPackages only and a claim names
 *    no suite (ADR 0018 SDK decisions), so `createGroup({suite: 'classic'})` with members fails after
 *    creating the group with its creator alone; the page offers classic disabled, with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientErrorEvent, SottoClient } from '@sotto/client';
import { defaultConfig, type RunningServer, startServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgedGroupMessage } from './helpers/mls.js';
import { acceptWhenAsked, nodeAccount } from './helpers/seed.js';

describe('what the web client needs from the SDK for groups', () => {
  let root: string;
  let server: RunningServer;
  let dave: SottoClient;
  let erin: SottoClient;
  let id = '';
  let refused: Promise<ClientErrorEvent>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sotto-web-sdk-gaps-'));
    server = await startServer(
      defaultConfig({ port: 0, host: '127.0.0.1', dataDir: join(root, 'server'), logLevel: 'warn' }),
    );
    [dave, erin] = await Promise.all([nodeAccount(server.url, 'dave'), nodeAccount(server.url, 'erin')]);
    const accepted = acceptWhenAsked(erin, 'dave');
    await dave.requestContact('erin');
    await accepted;
    await dave.listContacts();
    const joined = new Promise<void>((resolve) => {
      const off = erin.on('group', (e) => {
        if (e.kind !== 'joined') return;
        off();
        resolve();
      });
    });
    id = (await dave.createGroup({ name: 'Forged', members: ['erin'] })).id;
    await joined;
    refused = new Promise((resolve) => {
      const off = dave.on('error', (e) => {
        if (e.code !== 'MLS_INVALID') return;
        off();
        resolve(e);
      });
    });
    await forgedGroupMessage(erin, id, (await erin.getGroup(id)).epoch);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([dave?.close(), erin?.close()]);
    await server?.close(0);
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses the message (MLS_INVALID) and the group goes on', async () => {
    expect((await refused).code).toBe('MLS_INVALID');
    const got = new Promise<string>((resolve) => {
      const off = dave.on('message', (m) => {
        off();
        resolve(m.text);
      });
    });
    await erin.send(id, 'a real one');
    expect(await got).toBe('a real one');
  });

  // SDK gap: ClientErrorEvent has only `code` and `message`; the receive path knows the group.
  it.fails('names the group in the error event', async () => {
    const e = (await refused) as ClientErrorEvent & { conversation?: string };
    expect(e.conversation).toBe(id);
  });

  it.fails('creates a classic group with members', async () => {
    const before = (await dave.listGroups()).length;
    const outcome = await dave.createGroup({ name: 'Classic', members: ['erin'], suite: 'classic' }).then(
      (g) => ({ members: g.members.map((m) => m.account) }),
      (err: unknown) => ({ error: String(err) }),
    );
    expect((await dave.listGroups()).length).toBe(before + 1); // a group was created either way
    expect(outcome).toEqual({ members: ['dave', 'erin'] });
  });
});
