/**
 * secret-tree.json: the secret tree and its hash ratchets (RFC 9420 §9). For each tree: sender-data key and
 * nonce from the sender-data secret and a ciphertext sample; then, for every leaf, the application and
 * handshake keys and nonces at the listed generation, derived by ts-mls ratcheting one tree forward leaf by
 * leaf. The key of a generation that was used must not be handed out twice (forward secrecy, §9.2).
 */
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { createSecretTree, ratchetToGeneration } from 'ts-mls/secretTree.js';
import { expandSenderDataKey, expandSenderDataNonce, type ReuseGuard } from 'ts-mls/sender.js';
import { describe } from 'vitest';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface Leaf {
  readonly generation: number;
  readonly application_key: string;
  readonly application_nonce: string;
  readonly handshake_key: string;
  readonly handshake_nonce: string;
}

interface SecretTreeVector {
  readonly cipher_suite: number;
  readonly n_leaves: number;
  readonly encryption_secret: string;
  readonly sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  readonly leaves: readonly Leaf[];
}

async function check(v: SecretTreeVector): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const sd = v.sender_data;
  const [secret, sample] = [hex(sd.sender_data_secret), hex(sd.ciphertext)];
  out.push(same('sender data key', await expandSenderDataKey(impl, secret, sample), hex(sd.key)));
  out.push(same('sender data nonce', await expandSenderDataNonce(impl, secret, sample), hex(sd.nonce)));
  if (v.leaves.length !== v.n_leaves) out.push(`${v.leaves.length} leaves listed for n_leaves ${v.n_leaves}`);

  let tree = await createSecretTree(v.n_leaves, hex(v.encryption_secret), impl.kdf);
  for (const [leafIndex, leaf] of v.leaves.entries()) {
    const at = (what: string) => `leaf ${leafIndex} generation ${leaf.generation} ${what}`;
    const senderData = {
      leafIndex,
      generation: leaf.generation,
      reuseGuard: new Uint8Array(4) as ReuseGuard,
    };
    const cfg = defaultKeyRetentionConfig;
    const app = await ratchetToGeneration(tree, senderData, 'application', cfg, impl);
    out.push(same(at('application key'), app.key, hex(leaf.application_key)));
    out.push(same(at('application nonce'), app.nonce, hex(leaf.application_nonce)));
    const hs = await ratchetToGeneration(app.newTree, senderData, 'commit', cfg, impl);
    out.push(same(at('handshake key'), hs.key, hex(leaf.handshake_key)));
    out.push(same(at('handshake nonce'), hs.nonce, hex(leaf.handshake_nonce)));
    tree = hs.newTree;
    const again = await ratchetToGeneration(tree, senderData, 'application', cfg, impl).then(
      () => false,
      () => true,
    );
    out.push(again || at('application key handed out twice'));
  }
  return out;
}

describe('MLS secret-tree.json on ts-mls', () => {
  testEverySuite(loadVectors<SecretTreeVector>('secret-tree.json'), {
    suites: [1, 2, 5, 7],
    unavailable: [3, 4, 6],
    casesPerSuite: 3,
    what: ': trees of 1, 8 and 32 leaves',
    label: (v) => `suite ${v.cipher_suite} n_leaves ${v.n_leaves}`,
    check,
  });
});
