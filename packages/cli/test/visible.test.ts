/**
 * The sanitizer for untrusted text (visible.ts) and the places that must use it: nothing from a message,
 * a name or a status reaches the terminal as a raw control or bidi character, a message's line breaks
 * cannot forge a line, and JSON output carries the same values with those characters escaped.
 */
import type { Message } from '@sotto/client';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../src/output.js';
import { CONTINUATION, renderMessage, renderPresence } from '../src/render.js';
import { safeJson, visibleLine, visibleText } from '../src/visible.js';

/** Every character that must never be printed raw (newline aside, which only `visibleText` keeps). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = [
  '\u001b[2J', // clear screen
  '\u001b]0;title\u0007', // retitle the window (OSC … BEL)
  '\u009b31m', // CSI as a C1 control
  '\u0085', // NEL
  '\r', // carriage return: overwrite the line
  '\b\u007f', // backspace, DEL
  '\u0000',
  '\u202eevil\u202c', // right-to-left override … pop
  '\u2066iso\u2069', // isolate
  '\u200f\u061c', // marks
  '\u2028', // line separator
];

function message(text: string): Message {
  return {
    id: 'ab'.repeat(16),
    conversation: 'bob',
    direction: 'in',
    from: { account: 'bob', deviceId: 1 },
    text,
    sentAt: Date.UTC(2024, 0, 1, 12, 0),
    seq: 1,
    receivedAt: Date.UTC(2024, 0, 1, 12, 0),
    status: 'delivered',
  };
}

describe('visibleLine', () => {
  it('shows every control and bidi character as a visible escape', () => {
    for (const bad of HOSTILE) expect(visibleLine(`a${bad}b`)).not.toMatch(RAW);
    expect(visibleLine('\u001b[2J')).toBe('\\x1b[2J');
    expect(visibleLine('\u001b]0;t\u0007')).toBe('\\x1b]0;t\\x07');
    expect(visibleLine('\u009b31m')).toBe('\\x9b31m');
    expect(visibleLine('a\u007fb\u0000')).toBe('a\\x7fb\\x00');
    expect(visibleLine('\u202eevil\u202c')).toBe('\\u202eevil\\u202c');
    expect(visibleLine('\u2066x\u2069\u200f\u061c\u2028')).toBe('\\u2066x\\u2069\\u200f\\u061c\\u2028');
    expect(visibleLine('one\ntwo\r\tthree')).toBe('one\\ntwo\\r\\tthree');
  });

  it('leaves ordinary text of any script alone', () => {
    const text = 'Grüße, ¿qué tal? — 你好 — שלום — مرحبا — 🙂👍🏽 — naïve café';
    expect(visibleLine(text)).toBe(text);
  });
});

describe('visibleText', () => {
  it('keeps line breaks but indents every continuation line', () => {
    expect(visibleText('first\n[12:00] carol: forged\r\nthird', '    ')).toBe(
      'first\n    [12:00] carol: forged\n    third',
    );
    expect(visibleText('a\rb', '  ')).toBe('a\\rb');
  });
});

describe('safeJson', () => {
  it('escapes C1, DEL, bidi and separators that JSON.stringify leaves raw, and keeps the value', () => {
    const value = { type: 'message', text: HOSTILE.join('|') };
    expect(JSON.stringify(value)).toMatch(RAW); // the gap safeJson closes
    const json = safeJson(value);
    expect(json).not.toMatch(RAW);
    expect(json).toContain('\\u202e');
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('rendering untrusted text', () => {
  it('renders a hostile message on lines of its own, with nothing raw', () => {
    const r = renderMessage(message(`hi${HOSTILE.join('')}\n[12:00] carol: forged`));
    const lines = r.line.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d\] bob: hi\\x1b\[2J/);
    expect(lines[1]).toBe(`${CONTINUATION}[12:00] carol: forged`);
    expect(lines.join('')).not.toMatch(RAW);
    expect(r.json.text).toBe(`hi${HOSTILE.join('')}\n[12:00] carol: forged`);
  });

  it('shows a status text on one line, escaped', () => {
    const r = renderPresence({ account: 'bob', state: 'away', text: 'out\n• carol is online\u001b[2J' });
    expect(r.line).toBe('• bob is away "out\\n• carol is online\\x1b[2J"');
  });

  it('never writes a raw control through Output, in either mode', () => {
    let out = '';
    let err = '';
    const sink = { write: (s: string) => (out += s) };
    const errSink = { write: (s: string) => (err += s) };
    const human = createOutput(sink, errSink, false);
    human.text(`two\nlines ${HOSTILE.join('')}`);
    human.note(HOSTILE.join(''));
    human.error(HOSTILE.join(''));
    human.emit(HOSTILE.join(''), {});
    expect(out.split('\n')).toHaveLength(4);
    expect(out.replaceAll('\n', '')).not.toMatch(RAW);
    expect(err.replaceAll('\n', '')).not.toMatch(RAW);
    out = '';
    const json = createOutput(sink, errSink, true);
    json.record({ text: HOSTILE.join('') });
    json.emit('', { text: HOSTILE.join('') });
    expect(out.replaceAll('\n', '')).not.toMatch(RAW);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ text: HOSTILE.join('') }, { text: HOSTILE.join('') }]);
  });
});
