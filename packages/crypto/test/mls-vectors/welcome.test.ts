/**
 * welcome.json: joining from a Welcome (RFC 9420 §12.4.3.1). ts-mls must decode the KeyPackage and the
 * Welcome (and re-encode both to the same bytes), verify the KeyPackage signature, find the
 * EncryptedGroupSecrets addressed to the KeyPackage's reference and open them with the init private key
 * (EncryptWithLabel binds the encrypted GroupInfo as context, so this also proves those bytes intact); a
 * wrong init key must not open them.
 *
 * Known problem, cause not settled: the encrypted GroupInfo of this copy does not open under the welcome
 * key/nonce derived (RFC 9420 §8, §12.4.3.1) from the joiner secret the GroupSecrets carry, with no PSKs,
 * for any suite; the same holds for the older mlswg copy of the file, and for the derivation done by hand
 * (ExpandWithLabel "welcome"/"key"/"nonce" with either Extract order and zero or empty psk_secret), while
 * ts-mls opens the GroupInfo of the official passive-client Welcome (passive-client.test.ts). So the
 * test pins that ts-mls refuses it with an AEAD failure. A copy whose GroupInfo opens makes this test fail;
 * then GROUP_INFO_DOES_NOT_OPEN = false runs the full check: confirmation tag with the joiner secret,
 * signature under the signer's key and not under another key.
 */
import { decodeMlsMessage, encodeMlsMessage, type GroupInfo } from 'ts-mls';
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { CryptoError } from 'ts-mls/mlsError.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { describe } from 'vitest';
import { equalBytes } from '../../src/bytes.js';
import { suiteImpl, testEverySuite } from './suites.js';
import { hex, loadVectors, same, type Verdict } from './vectors.js';

interface WelcomeVector {
  readonly cipher_suite: number;
  readonly init_priv: string;
  readonly key_package: string;
  readonly signer_pub: string;
  readonly welcome: string;
}

/** See the file comment: the GroupInfo of the copied file does not open. Set to false for a corrected copy. */
const GROUP_INFO_DOES_NOT_OPEN = true;

async function check(v: WelcomeVector): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const welcomeMsg = decodeMlsMessage(hex(v.welcome), 0)?.[0];
  const kpMsg = decodeMlsMessage(hex(v.key_package), 0)?.[0];
  if (welcomeMsg?.wireformat !== 'mls_welcome') return ['welcome does not decode as an MLS Welcome'];
  if (kpMsg?.wireformat !== 'mls_key_package') return ['key_package does not decode as an MLS KeyPackage'];
  out.push(same('Welcome re-encoded', encodeMlsMessage(welcomeMsg), hex(v.welcome)));
  out.push(same('KeyPackage re-encoded', encodeMlsMessage(kpMsg), hex(v.key_package)));
  out.push((await verifyKeyPackage(kpMsg.keyPackage, impl.signature)) || 'KeyPackage signature refused');

  const welcome = welcomeMsg.welcome;
  const ref = await makeKeyPackageRef(kpMsg.keyPackage, impl.hash);
  out.push(
    welcome.secrets.some((s) => equalBytes(s.newMember, ref)) ||
      'no EncryptedGroupSecrets for the KeyPackage',
  );
  const initKey = await impl.hpke.importPrivateKey(hex(v.init_priv));
  const secrets = await decryptGroupSecrets(initKey, ref, welcome, impl.hpke);
  if (secrets === undefined) return [...out, 'GroupSecrets do not open'];
  const other = await impl.hpke.generateKeyPair();
  const wrongOpen = await decryptGroupSecrets(other.privateKey, ref, welcome, impl.hpke).then(
    (s) => s !== undefined,
    () => false,
  );
  out.push(!wrongOpen || 'GroupSecrets opened with another init key');

  const noPsk = new Uint8Array(impl.kdf.size);
  let groupInfo: GroupInfo | undefined;
  let aeadRefused = false;
  try {
    groupInfo = await decryptGroupInfo(welcome, secrets.joinerSecret, noPsk, impl);
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    aeadRefused = true;
  }
  if (GROUP_INFO_DOES_NOT_OPEN) {
    out.push(aeadRefused || 'GroupInfo: the known AEAD refusal did not happen (corrected copy? see above)');
    return out;
  }
  if (groupInfo === undefined) return [...out, 'GroupInfo does not open'];
  out.push(
    (await verifyGroupInfoConfirmationTag(groupInfo, secrets.joinerSecret, noPsk, impl)) ||
      'GroupInfo confirmation tag refused',
  );
  out.push(
    (await verifyGroupInfoSignature(groupInfo, hex(v.signer_pub), impl.signature)) ||
      'GroupInfo signature refused',
  );
  const otherSigner = (await impl.signature.keygen()).publicKey;
  const wrongSigner = await verifyGroupInfoSignature(groupInfo, otherSigner, impl.signature).catch(
    () => false,
  );
  out.push(!wrongSigner || 'GroupInfo verified under another signer');
  return out;
}

describe('MLS welcome.json on ts-mls', () => {
  testEverySuite(loadVectors<WelcomeVector>('welcome.json'), {
    suites: [1, 2, 5, 7],
    unavailable: [3, 4, 6],
    casesPerSuite: 1,
    check,
  });
});
