/**
 * Text from other people (messages, names, status text) and from the server (error sentences) is shown
 * escaped, never raw: a control character could clear the screen, retitle the window or rewrite what was
 * printed before (ESC sequences, C1 controls such as CSI U+009B, CR, backspace), and a bidi control could
 * make text read in another order than it is stored (U+202A–U+202E, U+2066–U+2069, and the marks U+061C,
 * U+200E, U+200F). Each such character is shown as a visible escape (`\x1b`, `\u202e`); a newline in a
 * message starts an indented continuation line, so a message cannot forge another one.
 */

/**
 * What is escaped in human output: C0 controls, DEL, C1 controls, bidi controls and marks, and the line
 * and paragraph separators (which some terminals and viewers break lines on).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What is escaped in JSON output beyond what `JSON.stringify` escapes (it leaves all of these raw). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (c: string, width: number) => (c.codePointAt(0) ?? 0).toString(16).padStart(width, '0');

/** The visible escape of one unsafe character: `\n`, `\r`, `\t`, `\xHH` below U+0100, else `\uHHHH`. */
function escapeChar(c: string): string {
  return NAMED[c] ?? ((c.codePointAt(0) ?? 0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);
}

/** `text` on one line: every unsafe character, newlines included, shown as its escape. */
export function visibleLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * `text` (a message) with its line breaks kept: each line is {@link visibleLine}d and every line after the
 * first starts with `indent`, so no line of it can pass for the start of another record. CRLF counts as one
 * line break; a lone CR is escaped.
 */
export function visibleText(text: string, indent: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => visibleLine(line))
    .join(`\n${indent}`);
}

/**
 * `JSON.stringify(value)` with C1 controls, DEL, bidi controls and line separators also written as
 * `\uHHHH` escapes: the same JSON value, but nothing in it acts on a terminal or reorders text when a
 * person reads the output. (`JSON.stringify` already escapes C0 controls.) Such characters can only occur
 * inside strings, where the escape means the same character.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
