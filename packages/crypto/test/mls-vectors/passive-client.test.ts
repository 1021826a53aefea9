/**
 * passive-client-welcome.json and passive-client-handling-commit.json (first entry of each, see
 * fixtures/mls/SOURCE): a client that only receives, driven through ts-mls's public API. It joins from the
 * Welcome with its KeyPackage, private keys and the external PSKs (joinGroup), must reach the vector's
 * initial epoch authenticator, then processes each epoch's proposals and commit (processMessage) and must
 * reach each epoch's authenticator. A commit with a flipped byte must be refused, and so must a commit
 * replayed after its epoch.
 */
import {
  acceptAll,
  bytesToBase64,
  type CiphersuiteImpl,
  type ClientState,
  decodeMlsMessage,
  joinGroup,
  makePskIndex,
  processMessage,
} from 'ts-mls';
import { describe } from 'vitest';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface PassiveClient {
  readonly cipher_suite: number;
  readonly external_psks: readonly { psk_id: string; psk: string }[];
  readonly key_package: string;
  readonly signature_priv: string;
  readonly encryption_priv: string;
  readonly init_priv: string;
  readonly welcome: string;
  readonly ratchet_tree: string | null;
  readonly initial_epoch_authenticator: string;
  readonly epochs: readonly { proposals: readonly string[]; commit: string; epoch_authenticator: string }[];
}

const FILES = ['passive-client-welcome.json', 'passive-client-handling-commit.json'] as const;

function handshake(bytes: Uint8Array) {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_public_message' && m?.wireformat !== 'mls_private_message')
    throw new Error('not a PublicMessage or PrivateMessage');
  return m;
}

async function refuses(
  state: ClientState,
  bytes: Uint8Array,
  psks: ReturnType<typeof makePskIndex>,
  impl: CiphersuiteImpl,
) {
  try {
    await processMessage(handshake(bytes), state, psks, acceptAll, impl);
    return false;
  } catch {
    return true;
  }
}

async function check(v: PassiveClient): Promise<Verdict[]> {
  if (v.ratchet_tree !== null) return ['ratchet_tree given out of band: not covered by this runner'];
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const welcome = decodeMlsMessage(hex(v.welcome), 0)?.[0];
  const keyPackage = decodeMlsMessage(hex(v.key_package), 0)?.[0];
  if (welcome?.wireformat !== 'mls_welcome') return ['welcome does not decode'];
  if (keyPackage?.wireformat !== 'mls_key_package') return ['key_package does not decode'];
  const psks = makePskIndex(
    undefined,
    Object.fromEntries(v.external_psks.map((p) => [bytesToBase64(hex(p.psk_id)), hex(p.psk)])),
  );
  const privateKeys = {
    initPrivateKey: hex(v.init_priv),
    hpkePrivateKey: hex(v.encryption_priv),
    signaturePrivateKey: hex(v.signature_priv),
  };
  let state = await joinGroup(welcome.welcome, keyPackage.keyPackage, privateKeys, psks, impl);
  out.push(
    same(
      'initial epoch authenticator',
      state.keySchedule.epochAuthenticator,
      hex(v.initial_epoch_authenticator),
    ),
  );

  for (const [i, epoch] of v.epochs.entries()) {
    for (const proposal of epoch.proposals) {
      state = (await processMessage(handshake(hex(proposal)), state, psks, acceptAll, impl)).newState;
    }
    const commit = hex(epoch.commit);
    const tampered = commit.slice();
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 0x01;
    out.push(
      (await refuses(state, tampered, psks, impl)) || `epoch ${i}: a commit with a flipped byte was accepted`,
    );
    const before = state;
    state = (await processMessage(handshake(commit), state, psks, acceptAll, impl)).newState;
    out.push(
      same(`epoch ${i} authenticator`, state.keySchedule.epochAuthenticator, hex(epoch.epoch_authenticator)),
    );
    out.push(
      state.groupContext.epoch === before.groupContext.epoch + 1n || `epoch ${i}: epoch did not advance`,
    );
    out.push((await refuses(state, commit, psks, impl)) || `epoch ${i}: the commit was accepted twice`);
  }
  return out;
}

describe.each(FILES)('MLS %s on ts-mls (public API)', (file) => {
  testEverySuite(loadVectors<PassiveClient>(file), {
    suites: [1],
    unavailable: [],
    casesPerSuite: 1,
    label: (_v, i) => `entry ${i}`,
    check,
  });
});
