/**
 * In-process checks of the small pieces: finding the command word among options, mapping failures to exit
 * codes without leaking anything but a code and a safe sentence, the digit grouping of safety numbers.
 */
import { SottoError } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs, splitCommand } from '../src/args.js';
import { describeFailure } from '../src/errors.js';
import { CliError, EXIT } from '../src/exit-codes.js';
import { checkMessageText, MAX_MESSAGE_CHARS } from '../src/message-text.js';
import { createOutput } from '../src/output.js';
import { digitRows } from '../src/qr.js';
import { renderMessage, renderReceipt } from '../src/render.js';

describe('arguments', () => {
  it('finds the command before or after the common options', () => {
    expect(splitCommand(['--profile', 'p', 'send', 'bob', 'hi'])).toEqual({
      command: 'send',
      rest: ['--profile', 'p', 'bob', 'hi'],
    });
    expect(splitCommand(['--json', 'whoami'])).toEqual({ command: 'whoami', rest: ['--json'] });
    expect(splitCommand(['--json']).command).toBeUndefined();
  });

  it('rejects unknown options and wrong positional counts as usage errors', () => {
    const usage = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof CliError ? err.exitCode : undefined;
      }
      return undefined;
    };
    expect(usage(() => parseCommandArgs(['--nope'], {}, { min: 0, max: 0 }))).toBe(EXIT.USAGE);
    expect(usage(() => parseCommandArgs([], {}, { min: 1, max: 1 }))).toBe(EXIT.USAGE);
    expect(usage(() => parseCommandArgs(['a', 'b'], {}, { min: 1, max: 1 }))).toBe(EXIT.USAGE);
    expect(parseCommandArgs(['a', '--json'], {}, { min: 1, max: 1 }).values.json).toBe(true);
  });

  it('takes a value that starts with "-" in the --option=VALUE form, and says so when it was given apart', () => {
    const spec = { invite: { type: 'string' as const } };
    expect(parseCommandArgs(['--invite=-abc'], spec, { min: 0, max: 0 }).values.invite).toBe('-abc');
    let message = '';
    try {
      parseCommandArgs(['--invite', '-abc'], spec, { min: 0, max: 0 });
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).toContain('--invite=VALUE');
  });
});

describe('failures', () => {
  it('maps error codes to the documented exit codes', () => {
    expect(describeFailure(new SottoError('LOGIN_FAILED')).exitCode).toBe(EXIT.AUTH);
    expect(describeFailure(new SottoError('UNTRUSTED_IDENTITY')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('INVALID_ACCOUNT_NAME')).exitCode).toBe(EXIT.USAGE);
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(describeFailure(refused)).toMatchObject({ code: 'NETWORK', exitCode: EXIT.NETWORK });
  });

  it('never repeats the message of an unknown error, which could hold anything', () => {
    const f = describeFailure(new Error('secret: hunter2'));
    expect(f).toEqual({ code: 'INTERNAL', message: 'unexpected error (Error)', exitCode: EXIT.OTHER });
  });
});

describe('message text', () => {
  it('accepts up to 16,000 characters (code points, not UTF-16 units) and refuses more', () => {
    const code = (f: () => unknown) => {
      try {
        f();
        return EXIT.OK;
      } catch (err) {
        return err instanceof CliError ? err.exitCode : undefined;
      }
    };
    expect(code(() => checkMessageText('🙂'.repeat(MAX_MESSAGE_CHARS)))).toBe(EXIT.OK);
    expect(code(() => checkMessageText('x'.repeat(MAX_MESSAGE_CHARS + 1)))).toBe(EXIT.USAGE);
    expect(code(() => checkMessageText(''))).toBe(EXIT.USAGE);
  });

  it('maps the SDK refusing an argument (too long, oneself) to a usage error', () => {
    expect(describeFailure(new SottoError('INVALID_ARGUMENT')).exitCode).toBe(EXIT.USAGE);
  });
});

describe('output', () => {
  it('writes prose or JSON lines, never both', () => {
    let out = '';
    let err = '';
    const sink = { write: (s: string) => (out += s) };
    const errSink = { write: (s: string) => (err += s) };
    const human = createOutput(sink, errSink, false);
    human.emit('hello', { type: 'x' });
    human.record({ type: 'dropped' });
    human.note('progress');
    const json = createOutput(sink, errSink, true);
    json.emit('dropped', { type: 'x' });
    json.text('dropped');
    json.note('dropped');
    expect(out).toBe('hello\n{"type":"x"}\n');
    expect(err).toBe('progress\n');
  });

  it('shows a safety number as three rows of four groups of five digits', () => {
    const digits = '0123456789'.repeat(6);
    expect(digitRows(digits)).toEqual([
      '01234 56789 01234 56789',
      '01234 56789 01234 56789',
      '01234 56789 01234 56789',
    ]);
  });
});

describe('stream records', () => {
  it('gives every message record type, from, device, text and sentAt', () => {
    const r = renderMessage({
      id: 'ab'.repeat(16),
      conversation: 'bob',
      direction: 'in',
      from: { account: 'bob', deviceId: 3 },
      text: 'hi',
      sentAt: 1_700_000_000_000,
      seq: 7,
      receivedAt: 1_700_000_000_100,
      status: 'delivered',
    });
    expect(r.json).toMatchObject({
      type: 'message',
      from: 'bob',
      device: 3,
      text: 'hi',
      sentAt: 1_700_000_000_000,
    });
    expect(r.line).toMatch(/bob: hi$/);
    const receipt = renderReceipt({
      conversation: 'bob',
      from: { account: 'bob', deviceId: 3 },
      kind: 'read',
      messageIds: ['x'],
    });
    expect(receipt.json).toEqual({
      type: 'receipt',
      kind: 'read',
      conversation: 'bob',
      from: 'bob',
      device: 3,
      messageIds: ['x'],
    });
  });
});
