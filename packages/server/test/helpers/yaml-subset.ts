/**
 * A strict reader of the plain subset of YAML that deploy/compose.yaml is written in: block mappings and
 * sequences indented with spaces, plain, single- and double-quoted scalars, flow sequences of scalars, and
 * comments. Anything else YAML allows (anchors, aliases, tags, block scalars, flow mappings, several
 * documents, tabs, duplicate keys, a plain scalar that holds ": " or " #") is an error naming the line, so
 * the file cannot drift into YAML this reader would misread. (The project has no YAML dependency.)
 */

/** A YAML value of the subset. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly n: number;
  readonly indent: number;
  readonly text: string;
}

const fail = (line: Line | undefined, why: string): never => {
  throw new Error(`line ${line?.n ?? 'end'}: ${why}`);
};

/** The line without its comment (a `#` at the start or after a space, outside quotes). */
function uncomment(raw: string): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || raw[i - 1] === ' ')) return raw.slice(0, i);
  }
  return raw;
}

/** One scalar (or flow sequence of scalars). */
function scalar(text: string, line: Line): YamlValue {
  const t = text.trim();
  if (t.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\["\\nt/])*"$/.test(t)) fail(line, `bad double-quoted scalar ${t}`);
    return JSON.parse(t) as string;
  }
  if (t.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(t)) fail(line, `bad single-quoted scalar ${t}`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) fail(line, 'a flow sequence must end on its line');
    const inner = t.slice(1, -1).trim();
    if (inner === '') return [];
    const items: YamlValue[] = [];
    let rest = `${inner},`;
    while (rest.trim() !== '') {
      const m = /^\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,"']*?)\s*,/.exec(rest);
      if (m?.[1] === undefined || m[1] === '') return fail(line, `bad flow sequence ${t}`);
      const v = scalar(m[1], line);
      if (typeof v === 'object' && v !== null) fail(line, 'only scalars in a flow sequence');
      items.push(v);
      rest = rest.slice(m[0].length);
    }
    return items;
  }
  if (t === '{}') return {};
  if (/^[&*!|>{%@`]/.test(t) || t.startsWith('- ') || t === '-') fail(line, `unsupported YAML: ${t}`);
  if (t.includes(': ') || t.includes(' #') || t.endsWith(':')) fail(line, `ambiguous plain scalar: ${t}`);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null' || t === '~' || t === '') return null;
  if (/^-?\d+$/.test(t)) return Number(t);
  return t;
}

/** Splits `key: rest` (key plain or quoted); undefined when the text is no mapping entry. */
function entry(text: string, line: Line): { key: string; rest: string } | undefined {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"\s#:][^:]*?)\s*:(?:\s+(.*)|$)/.exec(text);
  if (m?.[1] === undefined) return undefined;
  const key = scalar(m[1], line);
  if (typeof key !== 'string' && typeof key !== 'number') fail(line, 'a key must be a scalar');
  return { key: String(key), rest: (m[2] ?? '').trim() };
}

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  private get line(): Line | undefined {
    return this.lines[this.i];
  }

  /** The block at `indent`: a mapping or a sequence. */
  block(indent: number): YamlValue {
    const first = this.line;
    if (first === undefined || first.indent !== indent)
      return fail(first, `expected a block at indent ${indent}`);
    return first.text.startsWith('- ') || first.text === '-' ? this.sequence(indent) : this.mapping(indent);
  }

  /** What follows `key:` or `-` with nothing after it: a nested block, deeper than `indent`. */
  private nested(indent: number, allowSameIndentSequence: boolean): YamlValue {
    const next = this.line;
    if (next === undefined || next.indent < indent) return null;
    if (next.indent === indent) {
      // `key:` followed by `- item` at the key's own indent is a sequence in YAML.
      if (allowSameIndentSequence && next.text.startsWith('-')) return this.sequence(indent);
      return null;
    }
    return this.block(next.indent);
  }

  private mapping(indent: number): YamlValue {
    const out: { [key: string]: YamlValue } = {};
    for (let line = this.line; line !== undefined && line.indent >= indent; line = this.line) {
      if (line.indent > indent) fail(line, 'unexpected indentation');
      if (line.text.startsWith('-')) fail(line, 'a sequence item inside a mapping');
      const e = entry(line.text, line) ?? fail(line, `not a mapping entry: ${line.text}`);
      if (Object.hasOwn(out, e.key)) fail(line, `duplicate key ${e.key}`);
      this.i++;
      out[e.key] = e.rest === '' ? this.nested(indent, true) : scalar(e.rest, line);
    }
    return out;
  }

  private sequence(indent: number): YamlValue {
    const out: YamlValue[] = [];
    for (let line = this.line; line !== undefined && line.indent >= indent; line = this.line) {
      if (line.indent > indent) fail(line, 'unexpected indentation');
      if (!(line.text.startsWith('- ') || line.text === '-')) break;
      const rest = line.text.slice(1).trim();
      this.i++;
      if (rest === '') {
        out.push(this.nested(indent, false));
      } else if (entry(rest, line) !== undefined && !/^["'[]/.test(rest)) {
        // `- key: value` opens a mapping whose entries line up with `key`.
        const inner = indent + line.text.indexOf(rest);
        this.i--;
        this.lines[this.i] = { n: line.n, indent: inner, text: rest };
        out.push(this.mapping(inner));
      } else out.push(scalar(rest, line));
    }
    return out;
  }

  done(): void {
    if (this.line !== undefined) fail(this.line, 'unexpected content');
  }
}

/** Parses `text`; throws an Error naming the line for anything outside the subset. */
export function parseYamlSubset(text: string): YamlValue {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = { n: i + 1, indent: 0, text: '' };
    if (/^\s*\t/.test(raw)) fail(line, 'tabs are not indentation');
    const body = uncomment(raw).trimEnd();
    if (body.trim() === '') return;
    if (body.startsWith('---') || body.startsWith('...')) fail(line, 'one document only');
    lines.push({ n: i + 1, indent: body.length - body.trimStart().length, text: body.trim() });
  });
  if (lines.length === 0) return null;
  const reader = new Reader(lines);
  const value = reader.block(0);
  reader.done();
  return value;
}
