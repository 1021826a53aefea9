/**
 * What the web client needs from the SDK for groups (issue 12), with two people in Node (the real SDK and
 * server). Both were gaps pinned with `it.fails` until the SDK closed them (ADR 0018, addendum):
 *
 * 1. A refusal names its group. erin sends the group a well-formed MLS message that cannot be opened;
 *    dave's client refuses it (MLS_INVALID) and the group goes on, and the `error` event names the
 *    conversation, so the page warns in that group instead of "in one of your groups".
 * 2. A classic (X25519) group takes members: devices publish KeyPackages of both suites and a claim names
 *    the group's suite, so `createGroup({suite: 'classic'})` with members works like an X-Wing group:
 *    messages both ways, a member removed and added again.
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

  it('names the group in the error event', async () => {
    expect((await refused).conversation).toBe(id);
  });

  it('creates a classic group with members, who talk, are removed and added again', async () => {
    const joined = (who: SottoClient) =>
      new Promise<string>((resolve) => {
        const off = who.on('group', (e) => {
          if (e.kind !== 'joined') return;
          off();
          resolve(e.id);
        });
      });
    const text = (who: SottoClient, conversation: string) =>
      new Promise<string>((resolve) => {
        const off = who.on('message', (m) => {
          if (m.conversation !== conversation) return;
          off();
          resolve(m.text);
        });
      });
    const erinJoined = joined(erin);
    const g = await dave.createGroup({ name: 'Classic', members: ['erin'], suite: 'classic' });
    expect(g).toMatchObject({ suite: 'classic' });
    expect(g.members.map((m) => m.account)).toEqual(['dave', 'erin']);
    expect(await erinJoined).toBe(g.id);
    expect((await erin.getGroup(g.id)).suite).toBe('classic');

    let got = text(erin, g.id);
    await dave.send(g.id, 'classic hello');
    expect(await got).toBe('classic hello');
    got = text(dave, g.id);
    await erin.send(g.id, 'classic answer');
    expect(await got).toBe('classic answer');

    const removed = new Promise<void>((resolve) => {
      const off = erin.on('group', (e) => {
        if (e.id !== g.id || e.kind !== 'removed') return;
        off();
        resolve();
      });
    });
    const after = await dave.removeGroupMembers(g.id, ['erin']);
    expect(after.members.map((m) => m.account)).toEqual(['dave']);
    await removed;
    expect((await erin.getGroup(g.id)).status).toBe('removed');

    const again = joined(erin);
    const back = await dave.addGroupMembers(g.id, ['erin']);
    expect(back.members.map((m) => m.account)).toEqual(['dave', 'erin']);
    expect(await again).toBe(g.id);
    got = text(erin, g.id);
    await dave.send(g.id, 'welcome back');
    expect(await got).toBe('welcome back');
  }, 120_000);
});
