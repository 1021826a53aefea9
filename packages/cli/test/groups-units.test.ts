/**
 * In-process checks of the group pieces of the CLI: naming a group on the command line (id, hex, name,
 * ambiguous names), how group names are shown (escaped, quoted when they could forge a line, told apart
 * by their id when two groups share one), the records of group messages and events, the exit codes of
 * group refusals, and `--member` lists.
 */
import type { GroupInfo, Message } from '@sotto/client';
import { SottoError } from '@sotto/protocol';
import { describe, expect, it } from 'vitest';
import { listOption, parseCommandArgs } from '../src/args.js';
import { describeFailure } from '../src/errors.js';
import { CliError, EXIT } from '../src/exit-codes.js';
import { groupTag, nameLabel, unknownTag } from '../src/group-directory.js';
import { pickGroup, requireActive } from '../src/group-ref.js';
import { renderMessage } from '../src/render.js';
import { groupListLine, renderClientError, renderGroupEvent } from '../src/render-groups.js';

function group(id: string, name: string, status: GroupInfo['status'] = 'active'): GroupInfo {
  return {
    id: `#${id.repeat(32).slice(0, 32)}`,
    name,
    suite: 'xwing',
    epoch: 3,
    status,
    members: [
      { account: 'alice', devices: [1, 2], admin: true },
      { account: 'bob', devices: [1], admin: false },
    ],
    admins: ['alice'],
    admin: true,
  };
}

function failure(f: () => unknown): { code: string; exitCode: number; message: string } | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof CliError) return { code: err.code, exitCode: err.exitCode, message: err.message };
    throw err;
  }
  return undefined;
}

describe('naming a group', () => {
  const team = group('a', 'team');
  const other = group('b', 'Team', 'left');
  const crew = group('c', 'crew');
  const all = [team, other, crew];

  it('takes the id with or without "#", in either case', () => {
    expect(pickGroup(all, team.id)).toBe(team);
    expect(pickGroup(all, team.id.slice(1).toUpperCase())).toBe(team);
  });

  it('takes a name: exact first, else ignoring case; "#name" as receive prints it', () => {
    expect(pickGroup(all, 'crew')).toBe(crew);
    expect(pickGroup(all, '#crew')).toBe(crew);
    expect(pickGroup(all, 'Team')).toBe(other);
    expect(pickGroup(all, 'CREW')).toBe(crew);
  });

  it('refuses a name several groups have, listing their ids (exit 2)', () => {
    const twin = group('d', 'crew');
    const f = failure(() => pickGroup([...all, twin], 'crew'));
    expect(f).toMatchObject({ code: 'GROUP_AMBIGUOUS', exitCode: EXIT.USAGE });
    expect(f?.message).toContain(crew.id);
    expect(f?.message).toContain(twin.id);
  });

  it('refuses what names no group (exit 2), an unknown id included', () => {
    expect(failure(() => pickGroup(all, 'nope'))).toMatchObject({ code: 'GROUP_NOT_FOUND', exitCode: 2 });
    expect(failure(() => pickGroup(all, `#${'f'.repeat(32)}`))).toMatchObject({ code: 'GROUP_NOT_FOUND' });
  });

  it('refuses to send to a group left or removed from (exit 5)', () => {
    expect(failure(() => requireActive(other, '#Team'))).toMatchObject({
      code: 'NOT_A_GROUP_MEMBER',
      exitCode: EXIT.REFUSED,
      message: expect.stringMatching(/^you left #Team/),
    });
    expect(failure(() => requireActive(team, '#team'))).toBeUndefined();
  });
});

describe('showing group names', () => {
  it('quotes a name that could make a line read differently, and escapes controls', () => {
    expect(nameLabel('team')).toBe('team');
    expect(nameLabel('team] bob: hi')).toBe('"team] bob: hi"');
    expect(nameLabel(' padded')).toBe('" padded"');
    expect(nameLabel('evil\u001b\u202e')).toBe('evil\\x1b\\u202e');
    expect(nameLabel('evil\u001b[2J\u202e')).toBe('"evil\\u001b[2J\\u202e"');
    expect(nameLabel('a "b"')).toBe('"a \\"b\\""');
    expect(nameLabel('x\ny')).toBe('x\\ny');
  });

  it('tells two groups of the same name apart by the start of their id', () => {
    const a = group('1', 'team');
    const b = group('2', 'TEAM');
    expect(groupTag(a, [a]).label).toBe('#team');
    expect(groupTag(a, [a, b]).label).toBe('#team ~11111111');
    expect(groupTag(b, [a, b]).label).toBe('#TEAM ~22222222');
  });

  it('renders group messages and events with the group, in both modes', () => {
    const g = group('e', 'team');
    const tag = groupTag(g, [g]);
    const m: Message = {
      id: 'f'.repeat(32),
      conversation: g.id,
      direction: 'in',
      from: { account: 'bob', deviceId: 1 },
      text: 'hi\n[12:00] [#team] alice: forged',
      sentAt: Date.UTC(2024, 0, 1, 12, 0),
      seq: 1,
      receivedAt: 0,
      status: 'delivered',
    };
    const r = renderMessage(m, undefined, tag);
    expect(r.json).toMatchObject({ conversation: g.id, group: { id: g.id, name: 'team' }, from: 'bob' });
    expect(r.line).toMatch(/^\[\d\d:\d\d\] \[#team\] bob: hi\n {8}\[12:00\] \[#team\] alice: forged$/);
    const e = renderGroupEvent(
      { id: g.id, kind: 'members', by: 'alice', added: ['carol'], removed: ['dave'] },
      tag,
      g,
    );
    expect(e).toEqual({
      json: {
        type: 'group',
        kind: 'members',
        group: { id: g.id, name: 'team' },
        by: 'alice',
        added: ['carol'],
        removed: ['dave'],
      },
      line: '• [#team] members +carol -dave (by alice)',
    });
    const admins = renderGroupEvent({ id: g.id, kind: 'admins', by: 'alice' }, tag, g);
    expect(admins.json).toMatchObject({ admins: ['alice'] });
    expect(admins.line).toBe('• [#team] admins now alice (by alice)');
    const hostile = renderGroupEvent({ id: g.id, kind: 'joined', by: 'm\u001b]0;x\u0007' }, tag, g);
    expect(hostile.line).toBe('• [#team] you were added to the group by m\\x1b]0;x\\x07');
    expect(groupListLine(g)).toBe(`${g.id}  team                  2 members    active  admin`);
  });
});

describe('group refusals and options', () => {
  it('maps group codes to exit codes', () => {
    expect(describeFailure(new SottoError('NOT_GROUP_ADMIN')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('NOT_A_GROUP_MEMBER')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('NO_KEY_PACKAGES')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('GROUP_TOO_LARGE')).exitCode).toBe(EXIT.REFUSED);
    expect(describeFailure(new SottoError('GROUP_NOT_FOUND')).exitCode).toBe(EXIT.USAGE);
    expect(describeFailure(new SottoError('MLS_INVALID')).exitCode).toBe(EXIT.OTHER);
    // STALE_EPOCH only after the SDK's retries: said as what to do, not as the protocol's word.
    expect(describeFailure(new SottoError('STALE_EPOCH')).message).toMatch(/run the command again/);
  });

  it('reads repeated and comma-separated --member', () => {
    const args = parseCommandArgs(
      ['create', 'x', '--member', 'bob', '--member', 'carol,dave'],
      { member: { type: 'string', multiple: true } },
      { min: 0, max: 9 },
    );
    expect(listOption(args, 'member')).toEqual(['bob', 'carol', 'dave']);
    expect(listOption(parseCommandArgs([], {}, { min: 0, max: 0 }), 'member')).toEqual([]);
  });
});

describe('error records', () => {
  const team = group('a', 'team');
  const refused = { code: 'MLS_INVALID', message: 'A group message could not be processed.' };

  it('name the group an error is about, by its label and in the JSON', () => {
    const r = renderClientError({ ...refused, conversation: team.id }, groupTag(team, [team]));
    expect(r.json).toEqual({ type: 'error', ...refused, group: { id: team.id, name: 'team' } });
    expect(r.line).toBe('! [#team] A group message could not be processed. [MLS_INVALID]');
    const unknown = renderClientError({ ...refused, conversation: team.id }, unknownTag(team.id));
    expect(unknown.line).toBe('! [#~aaaaaaaa] A group message could not be processed. [MLS_INVALID]');
  });

  it('stay as they were for errors about no group', () => {
    const r = renderClientError(
      { code: 'TIMEOUT', message: 'The server did not answer in time.' },
      undefined,
    );
    expect(r.json).toEqual({ type: 'error', code: 'TIMEOUT', message: 'The server did not answer in time.' });
    expect(r.line).toBe('! The server did not answer in time. [TIMEOUT]');
  });
});
