/** Plain sentences for the problems the SDK reports about a group (ADR 0018: a lying server is detected). */

const WARNINGS: Record<string, string> = {
  MLS_INVALID:
    'A group message or change could not be verified, so it was ignored. It may have been damaged or forged on the way; the group is unchanged.',
  GROUP_CREDENTIAL_INVALID:
    'A change to the group named a device that its owner’s signed device list does not contain, so it was refused. The server may have tried to add a device.',
  GROUP_COMMIT_MISSING:
    'Some messages are waiting for a change to the group that the server has not delivered yet. They show as soon as it comes.',
  NOT_GROUP_ADMIN: 'A change to the group by someone who is not an admin was refused.',
};

/** The sentence for warning `code`. */
export function describeGroupWarning(code: string): string {
  return WARNINGS[code] ?? 'A problem with a group message was reported.';
}
