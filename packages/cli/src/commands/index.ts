/** Every `sotto` command, in the order `sotto --help` lists them. */
import type { Command } from '../command.js';
import { chat } from './chat.js';
import { contacts } from './contacts.js';
import { devices } from './devices.js';
import { download } from './download.js';
import { groups } from './groups.js';
import { history } from './history.js';
import { login } from './login.js';
import { notify } from './notify.js';
import { receive } from './receive.js';
import { register } from './register.js';
import { safetyNumber } from './safety-number.js';
import { send } from './send.js';
import { sendFile } from './send-file.js';
import { serve } from './serve.js';
import { status } from './status.js';
import { verify } from './verify.js';
import { whoami } from './whoami.js';

/** The command table. */
export const COMMANDS: readonly Command[] = [
  serve,
  register,
  login,
  whoami,
  contacts,
  groups,
  send,
  sendFile,
  receive,
  download,
  chat,
  history,
  safetyNumber,
  verify,
  devices,
  status,
  notify,
];
