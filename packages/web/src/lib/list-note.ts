/** A line among a conversation's messages (a change of a group), at the time this device learnt of it. */
export interface ListNote {
  readonly key: string;
  readonly at: number;
  readonly text: string;
}
