/**
 * transcript-hashes.json: the confirmed and interim transcript hashes (RFC 9420 §8.2) across one commit.
 * ts-mls must decode the AuthenticatedContent (and re-encode it to the same bytes), verify the commit's
 * confirmation tag with confirmation_key over confirmed_transcript_hash_after (and refuse it under another
 * key), and compute confirmed_transcript_hash_after from interim_transcript_hash_before and
 * interim_transcript_hash_after from that.
 */
import { decodeAuthenticatedContent, encodeAuthenticatedContent } from 'ts-mls/authenticatedContent.js';
import { verifyConfirmationTag } from 'ts-mls/framedContent.js';
import { createConfirmedHash, createInterimHash } from 'ts-mls/transcriptHash.js';
import { describe } from 'vitest';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface TranscriptHashes {
  readonly cipher_suite: number;
  readonly confirmation_key: string;
  readonly authenticated_content: string;
  readonly interim_transcript_hash_before: string;
  readonly confirmed_transcript_hash_after: string;
  readonly interim_transcript_hash_after: string;
}

async function check(v: TranscriptHashes): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const decoded = decodeAuthenticatedContent(hex(v.authenticated_content), 0);
  if (decoded === undefined) return ['AuthenticatedContent does not decode'];
  const ac = decoded[0];
  out.push(
    same('AuthenticatedContent re-encoded', encodeAuthenticatedContent(ac), hex(v.authenticated_content)),
  );
  if (ac.content.contentType !== 'commit' || ac.auth.contentType !== 'commit')
    return [...out, 'not a commit'];

  const confirmedAfter = hex(v.confirmed_transcript_hash_after);
  const tag = ac.auth.confirmationTag;
  const key = hex(v.confirmation_key);
  out.push((await verifyConfirmationTag(key, tag, confirmedAfter, impl.hash)) || 'confirmation tag refused');
  key[0] = (key[0] ?? 0) ^ 0x01;
  out.push(
    !(await verifyConfirmationTag(key, tag, confirmedAfter, impl.hash)) || 'tag verified under another key',
  );

  const input = { wireformat: ac.wireformat, content: ac.content, signature: ac.auth.signature };
  const confirmed = await createConfirmedHash(hex(v.interim_transcript_hash_before), input, impl.hash);
  out.push(same('confirmed_transcript_hash_after', confirmed, confirmedAfter));
  out.push(
    same(
      'interim_transcript_hash_after',
      await createInterimHash(confirmed, tag, impl.hash),
      hex(v.interim_transcript_hash_after),
    ),
  );
  return out;
}

describe('MLS transcript-hashes.json on ts-mls', () => {
  testEverySuite(loadVectors<TranscriptHashes>('transcript-hashes.json'), {
    suites: [1, 2],
    unavailable: [3],
    casesPerSuite: 1,
    check,
  });
});
