/**
 * crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel and
 * EncryptWithLabel (RFC 9420 §5) for one set of inputs per cipher suite, through ts-mls's own functions.
 *
 * Signatures: the vector signature must verify; a fresh SignWithLabel must verify; for EdDSA (deterministic)
 * it must equal the vector's bytes; the same signature under another label must not verify.
 * Known vector defect: the P-521 (suite 5) and P-384 (suite 7) signatures of this file were made with
 * ECDSA over SHA-256 (the generator's bug, fixed in cisco/mlspp#304), not the SHA-512 / SHA-384 that RFC 9420
 * §17.1 names. For those, ts-mls must refuse the vector signature, and node:crypto must accept it as
 * ECDSA-SHA-256, which proves the vector bytes were copied intact.
 * Encryption: the vector ciphertext must decrypt to the plaintext; a fresh EncryptWithLabel must decrypt;
 * the vector ciphertext under another context must be refused.
 */
import { refhash } from 'ts-mls/crypto/hash.js';
import { decryptWithLabel, encryptWithLabel } from 'ts-mls/crypto/hpke.js';
import { deriveSecret, deriveTreeSecret, expandWithLabel } from 'ts-mls/crypto/kdf.js';
import { signWithLabel, verifyWithLabel } from 'ts-mls/crypto/signature.js';
import { describe } from 'vitest';
import { concatBytes, utf8 } from '../../src/bytes.js';
import { suiteImpl, testEverySuite } from './suites.js';
import { ecdsaSha256Verifies, hex, loadVectors, opaque, prefixedKey, same, type Verdict } from './vectors.js';

interface CryptoBasics {
  readonly cipher_suite: number;
  readonly ref_hash: { label: string; value: string; out: string };
  readonly expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  readonly derive_secret: { secret: string; label: string; out: string };
  readonly derive_tree_secret: {
    secret: string;
    label: string;
    generation: number;
    length: number;
    out: string;
  };
  readonly sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  readonly encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

/** Suites whose signature scheme is EdDSA, so SignWithLabel must reproduce the vector bytes exactly. */
const DETERMINISTIC_SIGNATURES = new Set([1, 3, 4, 6]);

/** Suites whose vector signature uses ECDSA-SHA-256 (see above), with the curve's JOSE name. */
const ECDSA_SHA256_DEFECT: Readonly<Record<number, 'P-384' | 'P-521'>> = { 5: 'P-521', 7: 'P-384' };

async function check(v: CryptoBasics): Promise<Verdict[]> {
  const impl = await suiteImpl(v.cipher_suite);
  const out: Verdict[] = [];
  const { ref_hash: r, expand_with_label: e, derive_secret: d, derive_tree_secret: t } = v;
  out.push(same('RefHash', await refhash(r.label, hex(r.value), impl.hash), hex(r.out)));
  out.push(
    same(
      'ExpandWithLabel',
      await expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length, impl.kdf),
      hex(e.out),
    ),
  );
  out.push(same('DeriveSecret', await deriveSecret(hex(d.secret), d.label, impl.kdf), hex(d.out)));
  out.push(
    same(
      'DeriveTreeSecret',
      await deriveTreeSecret(hex(t.secret), t.label, t.generation, t.length, impl.kdf),
      hex(t.out),
    ),
  );

  const s = v.sign_with_label;
  const [sigPriv, sigPub, content, signature] = [
    prefixedKey(s.priv),
    prefixedKey(s.pub),
    hex(s.content),
    hex(s.signature),
  ];
  const verify = (label: string, sig: Uint8Array) =>
    verifyWithLabel(sigPub, label, content, sig, impl.signature);
  const sha256Curve = ECDSA_SHA256_DEFECT[v.cipher_suite];
  if (sha256Curve === undefined) {
    out.push((await verify(s.label, signature)) || 'VerifyWithLabel refused the vector signature');
  } else {
    out.push(!(await verify(s.label, signature)) || 'VerifyWithLabel accepted an ECDSA-SHA-256 signature');
    const signContent = concatBytes(opaque(utf8(`MLS 1.0 ${s.label}`)), opaque(content));
    out.push(
      ecdsaSha256Verifies(sha256Curve, sigPub, signContent, signature) ||
        'the vector signature is not ECDSA-SHA-256 either: copied wrongly?',
    );
  }
  out.push(
    !(await verify(`${s.label}!`, signature)) || 'VerifyWithLabel accepted the signature under another label',
  );
  const fresh = await signWithLabel(sigPriv, s.label, content, impl.signature);
  out.push((await verify(s.label, fresh)) || 'VerifyWithLabel refused a fresh SignWithLabel');
  if (DETERMINISTIC_SIGNATURES.has(v.cipher_suite)) out.push(same('SignWithLabel', fresh, signature));

  const c = v.encrypt_with_label;
  const priv = await impl.hpke.importPrivateKey(prefixedKey(c.priv));
  const pub = await impl.hpke.importPublicKey(prefixedKey(c.pub));
  const [context, plaintext] = [hex(c.context), hex(c.plaintext)];
  const open = (ctx: Uint8Array, kem: Uint8Array, ct: Uint8Array) =>
    decryptWithLabel(priv, c.label, ctx, kem, ct, impl.hpke);
  out.push(same('DecryptWithLabel', await open(context, hex(c.kem_output), hex(c.ciphertext)), plaintext));
  const sealed = await encryptWithLabel(pub, c.label, context, plaintext, impl.hpke);
  out.push(same('DecryptWithLabel(EncryptWithLabel)', await open(context, sealed.enc, sealed.ct), plaintext));
  const wrongContext = concatBytes(context, utf8('x'));
  const refused = await open(wrongContext, hex(c.kem_output), hex(c.ciphertext)).then(
    () => false,
    () => true,
  );
  out.push(refused || 'DecryptWithLabel accepted the ciphertext under another context');
  return out;
}

describe('MLS crypto-basics.json on ts-mls', () => {
  testEverySuite(loadVectors<CryptoBasics>('crypto-basics.json'), {
    suites: [1, 2, 5, 7],
    unavailable: [3, 4, 6],
    casesPerSuite: 1,
    check,
  });
});
