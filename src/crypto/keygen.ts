// Makes a signing key pair as JWKs. The kid is the RFC 7638 thumbprint of the public key: unique,
// stable, and meaningless to an attacker.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyAlg } from '../storage/schema.js';

export interface GeneratedKey {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function generateSigningKey(alg: KeyAlg): Promise<GeneratedKey> {
  const { publicKey, privateKey } =
    alg === 'ES256'
      ? await generateKeyPair('ES256', { extractable: true })
      : await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const exportedPublic = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exportedPublic, 'sha256');
  const publicJwk: JWK = { ...exportedPublic, kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, publicJwk, privateJwk };
}
