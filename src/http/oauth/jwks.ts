// The JWKS (RFC 7517), served from memory: the keystore rebuilds the body once per key change,
// and its length and ETag are computed here on the first request after that. max-age is half the publish lead, so a cache that honours it refreshes before any key
// it has not seen may sign (docs/decisions.md, Signing keys; docs/keys.md).
import type { Keystore } from '../../crypto/keystore.js';
import type { AppContext } from '../context.js';
import { jsonDocument, sendDocument, type Document } from './document.js';

export function jwks(keystore: Keystore, maxAgeSeconds: number) {
  const cacheControl = `public, max-age=${maxAgeSeconds}`;
  let document: Document | undefined;
  return function serveJwks(ctx: AppContext) {
    const { body } = keystore.jwksDocument;
    if (document?.body !== body) document = jsonDocument(body);
    sendDocument(ctx, document, 'application/jwk-set+json', cacheControl);
  };
}
