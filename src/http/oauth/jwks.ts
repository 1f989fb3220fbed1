// The JWKS (RFC 7517), served from memory: the keystore rebuilds body and ETag once per key
// change. max-age is half the publish lead, so a cache that honours it refreshes before any key
// it has not seen may sign (design.md, Signing keys; docs/keys.md).
import type { Keystore } from '../../crypto/keystore.js';
import type { AppContext } from '../context.js';
import { sendDocument } from './document.js';

export function jwks(keystore: Keystore, maxAgeSeconds: number) {
  const cacheControl = `public, max-age=${maxAgeSeconds}`;
  return function serveJwks(ctx: AppContext) {
    sendDocument(ctx, keystore.jwksDocument, 'application/jwk-set+json', cacheControl);
  };
}
