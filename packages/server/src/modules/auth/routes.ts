/**
 * HTTP routes of registration, login and adding a device (protocol `ROUTES`). Bodies are CBOR, checked
 * by the protocol's body schemas; OPAQUE messages are passed to @serenity-kit/opaque untouched.
 */

import { encodePublicKey, KeyType } from '@sotto/crypto';
import {
  addDeviceRequest,
  addDeviceResponse,
  loginFinishRequest,
  loginFinishResponse,
  loginStartRequest,
  loginStartResponse,
  ROUTES,
  registerFinishRequest,
  registerFinishResponse,
  registerStartRequest,
  registerStartResponse,
} from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.js';
import { readBody, sendBody } from '../../http.js';
import type { RateLimit } from '../../shared/shared-state.js';
import type { DirectoryService } from '../directory/directory.js';
import type { AccountService } from './accounts.js';

/** What the account routes need. */
export interface AuthRouteDeps {
  readonly accounts: AccountService;
  readonly directory: DirectoryService;
  readonly maxBodyBytes: number;
  /** Login and registration starts per client IP. */
  readonly ipLimit: RateLimit;
  /** Login starts per account. */
  readonly accountLimit: RateLimit;
  /** Called after an account's device list changed (pushes `devices.changed`). */
  readonly onDeviceListChanged: (account: string, removed: readonly number[]) => Promise<void>;
}

const limited = (ok: boolean) => {
  if (!ok) throw new ApiError('RATE_LIMITED');
};

/** Registers the registration, login and add-device routes. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { accounts, maxBodyBytes } = deps;

  app.post(ROUTES.registerStart, async (req, reply) => {
    limited(await deps.ipLimit.take(`ip:${req.ip}`));
    const body = readBody(req, registerStartRequest, maxBodyBytes);
    const registrationResponse = await accounts.registerStart(
      body.account,
      body.registrationRequest,
      body.invite,
    );
    return sendBody(reply, registerStartResponse, { registrationResponse });
  });

  app.post(ROUTES.registerFinish, async (req, reply) => {
    limited(await deps.ipLimit.take(`ip:${req.ip}`));
    const body = readBody(req, registerFinishRequest, maxBodyBytes);
    const deviceId = await accounts.registerFinish(body);
    req.log.info({ account: body.account, deviceId }, 'account registered');
    return sendBody(reply, registerFinishResponse, { account: body.account, deviceId }, 201);
  });

  app.post(ROUTES.loginStart, async (req, reply) => {
    const body = readBody(req, loginStartRequest, maxBodyBytes);
    limited(
      (await deps.ipLimit.take(`ip:${req.ip}`)) && (await deps.accountLimit.take(`account:${body.account}`)),
    );
    return sendBody(
      reply,
      loginStartResponse,
      await accounts.loginStart(body.account, body.startLoginRequest),
    );
  });

  app.post(ROUTES.loginFinish, async (req, reply) => {
    const body = readBody(req, loginFinishRequest, maxBodyBytes);
    const { ticket, expiresAt, account } = await accounts.loginFinish(body.loginId, body.finishLoginRequest);
    req.log.info({ account: account.name }, 'login');
    return sendBody(reply, loginFinishResponse, {
      account: account.name,
      ticket,
      ticketExpiresAt: expiresAt,
      identityKey: encodePublicKey(KeyType.identity, account.identityKey),
      backup: account.backup,
    });
  });

  app.post(ROUTES.devices, async (req, reply) => {
    const body = readBody(req, addDeviceRequest, maxBodyBytes);
    const account = await accounts.accountOfTicket(body.ticket);
    const { deviceId, removed } = await deps.directory.publishDeviceList(
      account,
      body.deviceList,
      body.certificate,
    );
    if (deviceId === undefined) throw new ApiError('DEVICE_LIST_REJECTED');
    req.log.info({ account, deviceId }, 'device added');
    await deps.onDeviceListChanged(account, removed);
    return sendBody(reply, addDeviceResponse, { account, deviceId }, 201);
  });
}
