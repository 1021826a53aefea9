/**
 * `SottoClient`: the composition root of the SDK. It wires the store, the crypto provider, the transport
 * and the feature modules together and exposes the public methods and typed events. Every other module
 * takes what it needs as arguments; there is no global state, so two clients in one process work.
 */

import { type CryptoProvider, createPortableProvider, SottoError, toHex } from '@sotto/crypto';
import {
  authChallengeMessage,
  normalizeAccountName,
  type PresenceState,
  type ServerFrame,
} from '@sotto/protocol';
import { setBlocked, syncBlock } from './blocks.js';
import { logCall } from './calls/log.js';
import { CallManager } from './calls/manager.js';
import { checkCallPeer, sendCallSignal } from './calls/send.js';
import { listContactRecords, toContact } from './contacts.js';
import type { Ctx } from './context.js';
import { setOwnDeviceName } from './device-names.js';
import { listOwnDevices, logoutDevice, revokeOwnDevice } from './devices.js';
import { afterAuthentication, type DispatchDeps, groupHooks, routePush } from './dispatch.js';
import { TypedEmitter } from './events.js';
import type { FilesDeps } from './files/deps.js';
import type { SendFileOptions } from './files/describe.js';
import { downloadMessageFile } from './files/get.js';
import { inNode, nodeUploadFetch } from './files/node-http.js';
import { deleteFileRecordOps } from './files/record.js';
import { cancelTransfer, resendFile, resumeUploads, sendFile } from './files/send.js';
import type { FileSink } from './files/sink.js';
import type { FileSource } from './files/source.js';
import { Transfers } from './files/transfers.js';
import { normalizeConversation, parseGroupConversation } from './groups/ids.js';
import {
  addMembers,
  type CreateGroupOptions,
  createGroup,
  groupView,
  leaveGroup,
  listGroupViews,
  removeMembers,
  renameGroup,
  setAdmin,
} from './groups/manage.js';
import { reconcileAllGroups } from './groups/reconcile.js';
import { deleteMessageOps, messageById, readHistory } from './history.js';
import { Http } from './http.js';
import { type IceServer, IceServers } from './ice.js';
import { clearInbox, inboxDeletion, readInbox } from './inbox.js';
import { loginNewDevice } from './login.js';
import {
  markMessagesRead,
  pendingDeletion,
  resendMessage,
  resendPending,
  type SendResult,
  sendText,
} from './messages.js';
import {
  type NotificationEmail,
  notificationEmail,
  removeNotificationEmail,
  setNotificationEmail,
  verifyNotificationEmail,
} from './notify.js';
import type { ClientOptions, HistoryOptions, LoginOptions, RegisterOptions } from './options.js';
import { checkPassword } from './password.js';
import { loadProfile, type Profile } from './profile.js';
import { syncContacts } from './pushes.js';
import { ReceiptOutbox, sendTypingTo } from './receipts.js';
import { REGISTER_STEPS, registerAccount } from './register.js';
import { Serial } from './serial.js';
import { type Request, Transport, type WebSocketConstructor } from './transport.js';
import type {
  ClientEvents,
  Clock,
  Contact,
  DeviceInfo,
  GroupInfo,
  Message,
  PasswordStrength,
  ProgressEvent,
  SafetyNumberInfo,
  WhoAmI,
} from './types.js';
import { acknowledgeChange, checkSafetyQr, markContactVerified, safetyNumberWith } from './verification.js';

export type { CreateGroupOptions } from './groups/manage.js';
export type { ClientOptions, HistoryOptions, LoginOptions, RegisterOptions } from './options.js';
export type { WebSocketConstructor, WebSocketLike } from './transport.js';

const systemClock: Clock = { now: () => Date.now() };
/** Default ciphertext bytes per upload request. */
const UPLOAD_BATCH_BYTES = 4 << 20;

async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const g = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof g === 'function') return g as WebSocketConstructor;
  const mod = await import('ws');
  return mod.default as unknown as WebSocketConstructor;
}

/**
 * A Sotto client: one account's device. Create it with {@link createClient}. Methods throw `SottoError`
 * with stable codes; events are typed (see {@link ClientEvents}). All state lives in the store passed in.
 */
export class SottoClient {
  private readonly events = new TypedEmitter<ClientEvents>();
  private readonly urls: readonly string[];
  private readonly http: Http;
  private readonly clock: Clock;
  private readonly serial = new Serial();
  private readonly receipts: ReceiptOutbox;
  private readonly transfers = new Transfers();
  private readonly files: FilesDeps;
  private readonly ice: IceServers;
  private providerPromise: Promise<CryptoProvider> | undefined;
  private ctx: Ctx | undefined;
  private transport: Transport | undefined;
  /** The server's clock minus ours, from the last connection's challenge (0 until then). */
  private serverOffsetMs = 0;
  /**
   * 1:1 voice and video calls: `calls.start(name, { media, sdp })`, incoming ones as the `call` event.
   * The SDK carries the SDP and ICE candidates end to end; the app runs the media (RTCPeerConnection).
   */
  readonly calls: CallManager;

  constructor(readonly options: ClientOptions) {
    const urls = typeof options.server === 'string' ? [options.server] : [...options.server];
    if (urls.length === 0) throw new SottoError('INVALID_ARGUMENT', 'At least one server URL is needed.');
    for (const u of urls) {
      try {
        new URL(u);
      } catch {
        throw new SottoError('INVALID_ARGUMENT', 'A server URL is not valid.');
      }
    }
    this.urls = urls;
    const batch = options.uploadBatchBytes;
    if (batch !== undefined && (!Number.isSafeInteger(batch) || batch < 64 * 1024)) {
      throw new SottoError('INVALID_ARGUMENT', 'uploadBatchBytes is a whole number of at least 64 KiB.');
    }
    this.http = new Http(urls);
    this.clock = options.clock ?? systemClock;
    this.ice = new IceServers(this.clock);
    this.receipts = new ReceiptOutbox(
      (task) => this.withCtx(task),
      (err) => this.report(err),
    );
    this.files = {
      ctx: () => this.requireCtx(),
      run: (task) => this.withCtx(task),
      online: () => this.online,
      serverUrl: () => this.transport?.currentUrl ?? (this.urls[0] as string),
      fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
      uploadFetch: options.fetch ?? (inNode() ? nodeUploadFetch : (...args) => globalThis.fetch(...args)),
      streamUploads: options.fetch === undefined && inNode(),
      report: (err) => this.report(err),
      transfers: this.transfers,
      backoff: {
        minMs: options.reconnect?.minDelayMs ?? 250,
        maxMs: options.reconnect?.maxDelayMs ?? 10_000,
      },
      batchBytes: options.uploadBatchBytes ?? UPLOAD_BATCH_BYTES,
    };
    this.calls = new CallManager({
      send: (peer, body, callId) => this.withCtx((ctx) => sendCallSignal(ctx, peer, body, callId)),
      checkPeer: (peer) => this.withCtx((ctx) => checkCallPeer(ctx, normalizeAccountName(peer))),
      log: (call) => this.withCtx((ctx) => logCall(ctx, call)),
      events: this.events,
      now: () => this.clock.now(),
      serverNow: () => this.clock.now() + this.serverOffsetMs,
      random: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
      report: (err) => this.report(err),
      timings: options.calls,
    });
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Unsubscribes a listener. */
  off<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  /** Subscribes to the next occurrence of an event only. */
  once<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.once(event, listener);
  }

  /** Rates a password (zxcvbn): score 0..4, weak below 3, with a warning and suggestions. */
  checkPassword(password: string, userInputs: readonly string[] = []): PasswordStrength {
    return checkPassword(password, userInputs);
  }

  /** True when the profile holds an account (after `register` or `login`). */
  async isRegistered(): Promise<boolean> {
    return (await this.loadCtx()) !== undefined;
  }

  /**
   * Creates an account: keys are generated on this device (progress events), the password is checked
   * (WEAK_PASSWORD unless `allowWeakPassword`), OPAQUE registration runs, the identity key backup sealed
   * under the OPAQUE export key is uploaded, and this device's prekeys are published. Leaves the client
   * connected. Throws WEAK_PASSWORD, ALREADY_REGISTERED, ACCOUNT_EXISTS, INVALID_ACCOUNT_NAME, RATE_LIMITED,
   * REGISTRATION_CLOSED, INVITE_INVALID (the server wants an invite, and `invite` is missing or not good).
   */
  async register(
    options: RegisterOptions,
  ): Promise<{ account: string; deviceId: number; strength: PasswordStrength }> {
    if (await this.isRegistered()) throw new SottoError('ALREADY_REGISTERED');
    const progress = (e: ProgressEvent) => {
      options.onProgress?.(e);
      this.events.emit('progress', e);
    };
    const { profile, strength } = await registerAccount(
      {
        p: await this.provider(),
        store: this.options.store,
        http: this.http,
        clock: this.clock,
        servers: this.urls,
        progress,
      },
      {
        name: options.name,
        password: options.password,
        allowWeak: options.allowWeakPassword === true,
        deviceName: options.deviceName,
        invite: options.invite,
      },
    );
    this.ctx = undefined;
    await this.connect(); // generates and uploads this device's prekeys before it resolves
    progress({ step: 'prekeys', done: REGISTER_STEPS - 1, total: REGISTER_STEPS });
    progress({ step: 'done', done: REGISTER_STEPS, total: REGISTER_STEPS });
    return { account: profile.account, deviceId: profile.deviceId, strength };
  }

  /**
   * Adds this device to an existing account with the name and password alone: OPAQUE login, the backup is
   * opened with the export key, a new device is certified and added to the signed device list, prekeys are
   * published. Leaves the client connected. Throws LOGIN_FAILED, ALREADY_REGISTERED, BACKUP_WRONG_KEY.
   */
  async login(options: LoginOptions): Promise<{ account: string; deviceId: number }> {
    if (await this.isRegistered()) throw new SottoError('ALREADY_REGISTERED');
    const profile = await loginNewDevice(
      {
        p: await this.provider(),
        store: this.options.store,
        http: this.http,
        clock: this.clock,
        servers: this.urls,
      },
      options,
    );
    this.ctx = undefined;
    await this.connect();
    return { account: profile.account, deviceId: profile.deviceId };
  }

  /**
   * Connects (and keeps reconnecting with backoff across the configured servers until {@link close}).
   * Resolves once authenticated; rejects with TIMEOUT after `timeoutMs` (default 15 s; the loop goes on)
   * or NOT_REGISTERED.
   */
  async connect(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const ctx = await this.requireCtx();
    this.transport ??= this.createTransport(ctx.profile);
    this.transport.start();
    await this.transport.waitOnline(options.timeoutMs ?? 15_000);
  }

  /**
   * Sends the delivery receipts still owed (when online), then disconnects and stops reconnecting, and
   * waits for work in progress. The store stays open (it belongs to the caller).
   */
  async close(): Promise<void> {
    await this.calls.close();
    await this.transfers.stopAll(); // uploads resume after the next connect; downloads reject (CANCELLED)
    this.receipts.stop();
    if (this.online) await this.receipts.flush().catch((err) => this.report(err));
    this.transport?.stop();
    this.ice.clear();
    await this.serial.run(async () => undefined);
  }

  /** True while authenticated to a server. */
  get online(): boolean {
    return this.transport?.online ?? false;
  }

  /** The account and device of this profile. Throws NOT_REGISTERED. */
  async whoami(): Promise<WhoAmI> {
    const { profile } = await this.requireCtx();
    return {
      account: profile.account,
      deviceId: profile.deviceId,
      identityKey: profile.identity.publicKey,
      servers: profile.servers,
    };
  }

  /**
   * Asks `name` to become a contact (lifting our own block on them, if any). Throws ACCOUNT_NOT_FOUND,
   * BLOCKED, NOT_CONNECTED.
   */
  async requestContact(name: string): Promise<void> {
    const n = normalizeAccountName(name);
    await this.contactRequest('contacts.request', n);
    await this.withCtx((ctx) => setBlocked(ctx, n, false, { sync: true, onlyIfBlocked: true }));
  }
  /** Accepts `name`'s request. Throws NOT_A_CONTACT (no pending request), NOT_CONNECTED. */
  async acceptContact(name: string): Promise<void> {
    await this.contactRequest('contacts.accept', name);
  }
  /** Declines `name`'s request. Throws NOT_A_CONTACT, NOT_CONNECTED. */
  async declineContact(name: string): Promise<void> {
    await this.contactRequest('contacts.decline', name);
  }
  /** Ends the relationship with `name` (or cancels a request). Throws NOT_A_CONTACT, NOT_CONNECTED. */
  async removeContact(name: string): Promise<void> {
    await this.contactRequest('contacts.remove', name);
  }
  /**
   * Blocks `name`: their requests and messages are refused by the server, and this account's devices drop
   * whatever of theirs a server still delivers (the block is recorded here first, so it holds even when
   * the server is unreachable or lies, and is synced to our other devices end to end). Throws NOT_CONNECTED
   * (the local block still holds).
   */
  async blockContact(name: string): Promise<void> {
    const n = normalizeAccountName(name);
    await this.withCtx((ctx) => setBlocked(ctx, n, true, { sync: false }));
    await this.contactRequest('contacts.block', n);
    await this.withCtx((ctx) => syncBlock(ctx, n, true));
  }
  /** Lifts a block (on the server first, then here and on our other devices). Throws NOT_CONNECTED. */
  async unblockContact(name: string): Promise<void> {
    const n = normalizeAccountName(name);
    await this.contactRequest('contacts.unblock', n);
    await this.withCtx((ctx) => setBlocked(ctx, n, false, { sync: true }));
  }
  /** The contacts (synchronized with the server when online), with trust and presence. */
  async listContacts(): Promise<Contact[]> {
    const ctx = await this.requireCtx();
    if (this.online) await this.serial.run(() => syncContacts(ctx));
    return (await listContactRecords(ctx.store))
      .filter(([, r]) => r.state !== 'none')
      .map(([account, r]) => toContact(account, r));
  }

  /** Sets this account's presence (seen by accepted contacts). Throws NOT_CONNECTED. */
  async setPresence(state: PresenceState, text?: string): Promise<void> {
    await this.requireCtx();
    await this.request({ t: 'presence.set', state, ...(text === undefined ? {} : { text }) });
  }

  /** This account's notification email (see notify.ts): whether the server can send one, and which. */
  async notificationEmail(): Promise<NotificationEmail> {
    await this.requireCtx();
    return notificationEmail((f) => this.request(f));
  }
  /** Sets the notification email address; the server mails a code to it. See notify.ts for what it throws. */
  async setNotificationEmail(address: string): Promise<NotificationEmail> {
    await this.requireCtx();
    return setNotificationEmail((f) => this.request(f), address);
  }
  /** Confirms the notification email with the mailed code. Throws VERIFICATION_FAILED (see notify.ts). */
  async verifyNotificationEmail(code: string): Promise<NotificationEmail> {
    await this.requireCtx();
    return verifyNotificationEmail((f) => this.request(f), code);
  }
  /** Removes the notification email: no more emails. Throws NOT_CONNECTED. */
  async removeNotificationEmail(): Promise<NotificationEmail> {
    await this.requireCtx();
    return removeNotificationEmail((f) => this.request(f));
  }

  /**
   * The STUN and TURN servers for a call's `RTCPeerConnection` (`iceServers`), TURN with time-limited
   * credentials from this server, cached until shortly before they expire (see ice.ts). Empty when the
   * operator configured none. Throws RATE_LIMITED, NOT_CONNECTED.
   */
  async iceServers(): Promise<IceServer[]> {
    await this.requireCtx();
    return this.ice.get((f) => this.request(f));
  }

  /**
   * Tells `name` (an account, or a group `#<hex>`; end-to-end encrypted) that we are typing or stopped.
   */
  async sendTyping(name: string, typing: boolean): Promise<void> {
    const to = normalizeConversation(name);
    await this.withCtx((ctx) => sendTypingTo(ctx, to, typing));
  }

  /**
   * Sends a text message to `name`: encrypted once per device of `name` and once per own other device.
   * Resolves once the server stored it, or with `queued: true` when offline or when the connection dropped
   * mid-send: the message stays pending in history and goes out (once) after the next connect — never
   * retry it yourself. It is only ever encrypted to the identity key `name` had when it was written.
   * Throws UNTRUSTED_IDENTITY (a verified contact's key changed: nothing is stored), INVALID_ARGUMENT, and
   * the refusals NOT_A_CONTACT, BLOCKED, DEVICE_MISMATCH (devices could not be reconciled), NO_PREKEYS,
   * after which the message stays in history as `failed` (see {@link resend}).
   *
   * `name` may be a group (`#<hex>`, ADR 0018): the message is encrypted once with the group's MLS state
   * and sent once; every member device (our other devices included) gets it. Throws GROUP_NOT_FOUND,
   * NOT_A_GROUP_MEMBER (left or removed), and refusals (STALE_EPOCH after retries) leave it `failed`.
   */
  async send(name: string, text: string): Promise<SendResult> {
    const to = normalizeConversation(name);
    return this.withCtx((ctx) => sendText(ctx, to, text, this.online, (err) => this.report(err)));
  }

  /**
   * Sends a `failed` message again (same id), to its recipient's current identity key: the explicit step
   * after a refusal or an identity change. Throws MESSAGE_NOT_FOUND, INVALID_ARGUMENT (not failed),
   * UNTRUSTED_IDENTITY (acknowledge the change first) and the refusals of {@link send}.
   */
  async resend(messageId: string): Promise<SendResult> {
    const ctx = await this.requireCtx();
    const m = await messageById(ctx.store, messageId);
    const ownFile =
      m?.file !== undefined && m.direction === 'out' && m.from.deviceId === ctx.profile.deviceId;
    if (ownFile && m?.status === 'failed') return resendFile(this.files, m);
    return this.withCtx((c) => resendMessage(c, messageId, this.online));
  }

  /**
   * Removes a message from this device's history (nothing is sent), stopping a transfer of its file.
   * Throws MESSAGE_NOT_FOUND.
   */
  async deleteMessage(messageId: string): Promise<void> {
    await this.transfers.stop(messageId, 'cancel');
    await this.withCtx(async (ctx) => {
      const m = await messageById(ctx.store, messageId);
      if (m === undefined) throw new SottoError('MESSAGE_NOT_FOUND');
      await ctx.store.write([
        ...deleteMessageOps(m),
        ...pendingDeletion(m),
        ...(await inboxDeletion(ctx.store, m.id)),
        ...deleteFileRecordOps(m.id),
      ]);
    });
  }

  /**
   * Sends a file to `name`: a file message (shown at once as pending, its file `uploading`) whose file is
   * encrypted on this device while it uploads, in chunks (never whole in memory), then announced to every
   * device of `name` and our other devices with its key and digest inside the end-to-end encryption.
   * `file-progress` events (`direction: 'up'`) follow the upload. A dropped connection resumes from the
   * server's offset; after a restart, an upload from {@link fileFromPath} resumes on the next connect.
   * Resolves once the message reached the server, or `queued: true` when offline or the connection is
   * gone (it goes on after the next connect). Throws INVALID_ARGUMENT (a bad source, caption or thumbnail,
   * or more than fits in one message), UNTRUSTED_IDENTITY (nothing stored), and after keeping the message
   * as `failed` (the server copy deleted): CANCELLED ({@link cancelFile}), FILE_TOO_LARGE, QUOTA_EXCEEDED,
   * and the refusals of {@link send}.
   */
  async sendFile(name: string, source: FileSource, options: SendFileOptions = {}): Promise<SendResult> {
    const to = normalizeConversation(name);
    await this.requireCtx();
    return sendFile(this.files, to, source, options);
  }

  /**
   * Downloads the file of message `messageId` into `sink`: it resolves once the whole file is verified
   * (every chunk, the final chunk, both sizes and the SHA-256 of the ciphertext the sender stated) and
   * the sink closed. `file-progress` events (`direction: 'down'`) follow it; a dropped connection resumes
   * with a `Range` request. On any failure the sink is aborted (nothing half-written remains). Throws
   * FILE_INTEGRITY (the file is not what its sender described; its state becomes `failed`),
   * FILE_NOT_FOUND (the server no longer has it), CANCELLED, NOT_CONNECTED, MESSAGE_NOT_FOUND,
   * INVALID_ARGUMENT (not uploaded yet, or a transfer of it is running).
   */
  async downloadFile(messageId: string, sink: FileSink): Promise<void> {
    await downloadMessageFile(this.files, messageId, sink);
  }

  /**
   * Stops the upload or download of message `messageId`: its promise rejects with CANCELLED. A cancelled
   * upload leaves the message `failed` (CANCELLED) and its server copy deleted; a cancelled download
   * leaves the file as it was. Resolves once stopped. Throws MESSAGE_NOT_FOUND.
   */
  async cancelFile(messageId: string): Promise<void> {
    await cancelTransfer(this.files, messageId);
  }

  /**
   * Marks incoming messages read and sends a read receipt to `name` (and syncs own devices); in a group
   * (`#<hex>`) the receipt goes to the group.
   */
  async markRead(name: string, messageIds: readonly string[]): Promise<void> {
    const conversation = normalizeConversation(name);
    if (messageIds.length === 0) return;
    await this.withCtx((ctx) => markMessagesRead(ctx, conversation, messageIds));
  }

  /**
   * The conversation with `name` (an account, or a group `#<hex>`), oldest first, ordered by sender time
   * then sequence: the latest `limit` messages, or those before `beforeId` (a message id: exact paging) or
   * `before` (a sender time).
   */
  async history(name: string, options: HistoryOptions = {}): Promise<Message[]> {
    const ctx = await this.requireCtx();
    return readHistory(ctx.store, normalizeConversation(name), options);
  }

  /**
   * Creates a group (ADR 0018) with this device as its first member and admin, this account's other
   * devices, and `members` (accepted contacts: every device of each). Its id is the conversation
   * `#<hex>` for `send`, `history` and the rest. Throws INVALID_ARGUMENT (name: 1–128 characters),
   * NOT_A_CONTACT / BLOCKED (nothing created), NOT_CONNECTED; NO_KEY_PACKAGES and the other refusals of
   * adding leave the group created with the members added so far (see {@link listGroups}).
   */
  async createGroup(options: CreateGroupOptions): Promise<GroupInfo> {
    return this.withCtx((ctx) => createGroup(ctx, options, ctx.groupHooks));
  }

  /** The groups this device knows: active ones first, then those it left or was removed from. */
  async listGroups(): Promise<GroupInfo[]> {
    return this.withCtx((ctx) => listGroupViews(ctx));
  }

  /** The group `id` (`#<hex>`). Throws GROUP_NOT_FOUND, INVALID_ARGUMENT. */
  async getGroup(id: string): Promise<GroupInfo> {
    const hex = toHex(parseGroupConversation(id));
    return this.withCtx((ctx) => groupView(ctx, hex));
  }

  /**
   * Adds every device of `names` (accepted contacts) to group `id`, in one commit. Admins only
   * (NOT_GROUP_ADMIN). Throws NO_KEY_PACKAGES (an account has no device that can be added now),
   * GROUP_CREDENTIAL_INVALID (a KeyPackage the server handed out does not match its device list),
   * NOT_A_CONTACT, BLOCKED, GROUP_TOO_LARGE, NOT_A_GROUP_MEMBER, GROUP_NOT_FOUND, NOT_CONNECTED.
   */
  async addGroupMembers(id: string, names: readonly string[]): Promise<GroupInfo> {
    return this.withCtx((ctx) => addMembers(ctx, id, names, ctx.groupHooks));
  }

  /**
   * Removes every device of `names` from group `id`: they cannot read anything sent afterwards. Admins
   * only (NOT_GROUP_ADMIN). Throws INVALID_ARGUMENT for oneself (use {@link leaveGroup}).
   */
  async removeGroupMembers(id: string, names: readonly string[]): Promise<GroupInfo> {
    return this.withCtx((ctx) => removeMembers(ctx, id, names, ctx.groupHooks));
  }

  /**
   * Leaves group `id` with this account (all its devices). History stays; the group shows as `left`.
   * When the last admin leaves, the member in the oldest position becomes admin.
   */
  async leaveGroup(id: string): Promise<GroupInfo> {
    return this.withCtx((ctx) => leaveGroup(ctx, id, ctx.groupHooks));
  }

  /** Renames group `id`. Admins only (NOT_GROUP_ADMIN). Throws INVALID_ARGUMENT (1–128 characters). */
  async renameGroup(id: string, name: string): Promise<GroupInfo> {
    return this.withCtx((ctx) => renameGroup(ctx, id, name, ctx.groupHooks));
  }

  /**
   * Makes member `name` an admin of group `id`, or not. Admins only (NOT_GROUP_ADMIN). Throws
   * INVALID_ARGUMENT (not a member, or no admin would be left).
   */
  async setGroupAdmin(id: string, name: string, admin: boolean): Promise<GroupInfo> {
    return this.withCtx((ctx) => setAdmin(ctx, id, name, admin, ctx.groupHooks));
  }

  /**
   * Messages received and not yet reported, oldest arrival first (only with `inbox: true` in the
   * options; see {@link clearInbox}). Does not remove them.
   */
  async inbox(options: { readonly limit?: number } = {}): Promise<Message[]> {
    const ctx = await this.requireCtx();
    return readInbox(ctx.store, options.limit);
  }

  /** Removes reported messages from the inbox (they stay in history). */
  async clearInbox(messageIds: readonly string[]): Promise<void> {
    await this.withCtx((ctx) => clearInbox(ctx.store, messageIds));
  }

  /** The safety number of the conversation with `name` (digits, groups and QR payload). */
  async safetyNumber(name: string): Promise<SafetyNumberInfo> {
    const n = normalizeAccountName(name);
    return this.withCtx((ctx) => safetyNumberWith(ctx, n, this.online));
  }

  /** True when a scanned QR payload matches the safety number with `name` (then call markVerified). */
  async verifySafetyQr(name: string, payload: Uint8Array): Promise<boolean> {
    const n = normalizeAccountName(name);
    return this.withCtx((ctx) => checkSafetyQr(ctx, n, payload, this.online));
  }

  /** Marks `name`'s current identity key as verified. Throws UNTRUSTED_IDENTITY while a change is pending. */
  async markVerified(name: string): Promise<void> {
    const n = normalizeAccountName(name);
    await this.withCtx((ctx) => markContactVerified(ctx, n, this.online));
  }

  /** Accepts `name`'s new identity key after a change (it becomes unverified); sending works again. */
  async acknowledgeIdentityChange(name: string): Promise<void> {
    const n = normalizeAccountName(name);
    await this.withCtx((ctx) => acknowledgeChange(ctx, n));
  }

  /** This account's devices, from the verified device list (fetched again when online). */
  async listDevices(): Promise<DeviceInfo[]> {
    return this.withCtx((ctx) => listOwnDevices(ctx, this.online));
  }

  /**
   * Removes a device of this account by publishing a new signed list without it, and from every group.
   * Throws DEVICE_NOT_FOUND.
   */
  async revokeDevice(deviceId: number): Promise<void> {
    await this.withCtx(async (ctx) => {
      await revokeOwnDevice(ctx, deviceId);
      // The revoked device leaves every group this device is in (ADR 0018 "Multi-device").
      await reconcileAllGroups(ctx, ctx.groupHooks);
    });
  }

  /**
   * Names this device (end to end: only this account's devices learn it). Throws NOT_CONNECTED (the name
   * is kept and announced after the next connect).
   */
  async setDeviceName(name: string): Promise<void> {
    await this.withCtx((ctx) => setOwnDeviceName(ctx, name));
  }

  /**
   * Signs this device out of the account: when another device remains, a new device list signed by the
   * identity key leaves this one out (the server drops its prekeys, mailbox and connection; contacts stop
   * encrypting to it); then the client closes. `revoked: false` when this is the account's only device: it
   * stays listed (log in again, or revoke it from a later device). Delete the local store afterwards.
   * Throws NOT_CONNECTED (nothing changed).
   */
  async logout(): Promise<{ revoked: boolean }> {
    if (!this.online) throw new SottoError('NOT_CONNECTED');
    const result = await this.withCtx((ctx) => logoutDevice(ctx));
    await this.close();
    return result;
  }

  private provider(): Promise<CryptoProvider> {
    this.providerPromise ??=
      this.options.provider !== undefined ? Promise.resolve(this.options.provider) : createPortableProvider();
    return this.providerPromise;
  }

  private async loadCtx(): Promise<Ctx | undefined> {
    if (this.ctx !== undefined) return this.ctx;
    const p = await this.provider();
    const profile = await loadProfile(p, this.options.store);
    if (profile === undefined) return undefined;
    this.ctx = {
      p,
      store: this.options.store,
      clock: this.clock,
      events: this.events,
      profile,
      self: { account: profile.account, identityKey: profile.identity.publicKey },
      request: (frame) => this.request(frame),
      inbox: this.options.inbox === true,
      groupHooks: groupHooks(this.dispatchDeps()),
      onCallSignal: (signal) => this.calls.receive(signal),
    };
    return this.ctx;
  }

  private async requireCtx(): Promise<Ctx> {
    const ctx = await this.loadCtx();
    if (ctx === undefined) throw new SottoError('NOT_REGISTERED');
    return ctx;
  }

  /** Runs `task` in the client's queue with the loaded profile. */
  private async withCtx<T>(task: (ctx: Ctx) => Promise<T>): Promise<T> {
    const ctx = await this.requireCtx();
    return this.serial.run(() => task(ctx));
  }

  private request(frame: Request): Promise<ServerFrame> {
    if (this.transport === undefined) return Promise.reject(new SottoError('NOT_CONNECTED'));
    return this.transport.request(frame);
  }

  private async contactRequest(
    t:
      | 'contacts.request'
      | 'contacts.accept'
      | 'contacts.decline'
      | 'contacts.remove'
      | 'contacts.block'
      | 'contacts.unblock',
    name: string,
  ): Promise<void> {
    await this.requireCtx();
    await this.request({ t, account: normalizeAccountName(name) });
  }

  private report(err: unknown, conversation?: string): void {
    const code = SottoError.is(err) ? err.code : 'INTERNAL';
    const message = SottoError.is(err) ? err.message : 'An internal error occurred.';
    this.events.emit('error', { code, message, ...(conversation === undefined ? {} : { conversation }) });
  }

  private dispatchDeps(): DispatchDeps {
    return {
      run: (task) => this.withCtx(task).catch((err) => this.report(err)),
      report: (err, conversation) => this.report(err, conversation),
      ack: (envelopeId) => {
        try {
          this.transport?.fire({ t: 'ack', envelopeIds: [envelopeId] });
        } catch {
          // offline: the envelope comes again after reconnecting and is dropped as a duplicate
        }
      },
      receiptsSoon: () => this.receipts.schedule(),
      prekeyBatch: this.options.prekeyBatch ?? 50,
      keyPackageBatch: this.options.keyPackageBatch ?? 16,
    };
  }

  private createTransport(profile: Profile): Transport {
    const deps = this.dispatchDeps();
    return new Transport({
      urls: this.urls,
      WebSocket:
        this.options.WebSocket !== undefined
          ? async () => this.options.WebSocket as WebSocketConstructor
          : defaultWebSocket,
      authenticate: async (nonce, origin) => {
        const p = await this.provider();
        const message = authChallengeMessage({
          nonce,
          account: profile.account,
          deviceId: profile.deviceId,
          origin,
        });
        const signature = await p.ed25519Sign(profile.device.signing.secretKey, message);
        return { t: 'auth', account: profile.account, deviceId: profile.deviceId, signature };
      },
      onAuthenticated: () => afterAuthentication(deps),
      onServerTime: (serverTime) => {
        this.serverOffsetMs = serverTime - this.clock.now();
      },
      onPush: (f) => routePush(f, deps),
      onState: (e) => {
        this.events.emit('connection', e);
        // Messages written while offline (or while this connection authenticated) go out now.
        if (e.state === 'online') {
          void deps.run(async (ctx) => void (await resendPending(ctx, (err) => this.report(err))));
          void resumeUploads(this.files).catch((err) => this.report(err));
        }
      },
      onFatal: (err) => this.report(err),
      minDelayMs: this.options.reconnect?.minDelayMs ?? 250,
      maxDelayMs: this.options.reconnect?.maxDelayMs ?? 10_000,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 15_000,
    });
  }
}

/** Creates a client. Nothing happens on the network until `register`, `login` or `connect`. */
export function createClient(options: ClientOptions): SottoClient {
  return new SottoClient(options);
}
