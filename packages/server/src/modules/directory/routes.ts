/** HTTP routes of the key directory that need no device authentication. */
import { accountDevicesResponse, isAccountName, ROUTES } from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.js';
import { sendBody } from '../../http.js';
import type { DirectoryService } from './directory.js';

/** Registers `GET /v1/accounts/:name/devices`: identity key, signed device list and certificates, for anyone. */
export function registerDirectoryRoutes(app: FastifyInstance, directory: DirectoryService): void {
  app.get<{ Params: { name: string } }>(ROUTES.accountDevices, async (req, reply) => {
    if (!isAccountName(req.params.name)) throw new ApiError('INVALID_ACCOUNT_NAME');
    return sendBody(reply, accountDevicesResponse, await directory.entry(req.params.name));
  });
}
