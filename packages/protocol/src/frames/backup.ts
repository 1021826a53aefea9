/**
 * Backup frame: replace the encrypted identity-key backup of the authenticated account.
 */

import { frame } from '../schema/object.js';
import { backupBytes, requestId } from './common.js';

/** Client → server: store a new encrypted backup (opaque to the server). Answer: `ok`. */
export const backupPutFrame = frame('backup.put', { id: requestId, blob: backupBytes });
