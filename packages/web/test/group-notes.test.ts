/**
 * The sentences a group's changes become in its conversation, from each member's point of view, and who
 * a message counts as meant for in "read by N of M" (members added later are left out, members removed
 * since are kept, anyone who sent a receipt counts).
 */
import { describe, expect, it } from 'vitest';
import { membership, noteText, recipients } from '../src/groups/notes.js';
import type { GroupNote } from '../src/lib/group-journal.js';

const note = (n: Partial<GroupNote> & Pick<GroupNote, 'kind' | 'by'>): GroupNote => ({
  key: 'k',
  at: 0,
  ...n,
});

describe('group lines', () => {
  it('says who did what, with "you" for the reader', () => {
    expect(noteText(note({ kind: 'created', by: 'alice', name: 'Trip' }), 'alice')).toBe(
      'You created the group “Trip”.',
    );
    expect(noteText(note({ kind: 'joined', by: 'alice' }), 'bob')).toBe('alice added you to the group.');
    expect(noteText(note({ kind: 'members', by: 'alice', added: ['bob', 'carol'] }), 'alice')).toBe(
      'You added bob and carol.',
    );
    expect(noteText(note({ kind: 'members', by: 'alice', added: ['bob', 'carol', 'dave'] }), 'carol')).toBe(
      'alice added bob, you and dave.',
    );
    expect(noteText(note({ kind: 'members', by: 'alice', removed: ['bob'] }), 'carol')).toBe(
      'alice removed bob.',
    );
    expect(noteText(note({ kind: 'members', by: 'bob', removed: ['bob'] }), 'carol')).toBe('bob left.');
    expect(noteText(note({ kind: 'members', by: 'bob' }), 'carol')).toBe('The devices in the group changed.');
    expect(noteText(note({ kind: 'renamed', by: 'alice', name: 'Lake' }), 'bob')).toBe(
      'alice renamed the group to “Lake”.',
    );
    expect(noteText(note({ kind: 'removed', by: 'alice' }), 'bob')).toBe('alice removed you from the group.');
    expect(noteText(note({ kind: 'left', by: 'bob' }), 'bob')).toBe('You left the group.');
  });

  it('tells admin changes, keeping names as they are spelled', () => {
    expect(noteText(note({ kind: 'admins', by: 'alice', granted: ['bob'], revoked: [] }), 'carol')).toBe(
      'bob is now an admin.',
    );
    expect(noteText(note({ kind: 'admins', by: 'alice', granted: ['bob'], revoked: [] }), 'bob')).toBe(
      'You are now an admin.',
    );
    expect(
      noteText(note({ kind: 'admins', by: 'carol', granted: ['carol'], revoked: ['alice'] }), 'dave'),
    ).toBe('carol is now an admin. alice is no longer an admin.');
    expect(noteText(note({ kind: 'admins', by: 'alice' }), 'bob')).toBe('alice changed the group’s admins.');
  });
});

describe('who a message was meant for', () => {
  const lines = [
    note({ kind: 'members', by: 'alice', added: ['bob', 'carol'], at: 10 }),
    note({ kind: 'members', by: 'alice', removed: ['bob'], at: 50 }),
    note({ kind: 'members', by: 'alice', added: ['dave'], at: 80 }),
  ];
  const m = membership(lines);

  it('leaves out members added after it and keeps members removed since', () => {
    expect(recipients(20, ['alice', 'carol', 'dave'], m, [], 'alice')).toEqual(['bob', 'carol']);
    expect(recipients(60, ['alice', 'carol', 'dave'], m, [], 'alice')).toEqual(['carol']);
    expect(recipients(90, ['alice', 'carol', 'dave'], m, [], 'alice')).toEqual(['carol', 'dave']);
  });

  it('counts whoever sent a receipt, never the reader', () => {
    expect(recipients(60, ['alice', 'carol'], m, ['dave', 'alice'], 'alice')).toEqual(['carol', 'dave']);
  });
});
