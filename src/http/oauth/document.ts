// The well-known documents (discovery metadata, JWKS): a body built once per change, with its ETag,
// answered 304 to a matching If-None-Match. They are the most frequent requests an issuer gets, so
// the answer is written straight to the socket (ctx.respond = false) with the headers already
// known, rather than through Koa's body handling; the envelope has set the common headers. The
// body is kept as a string: Node then sends headers and body in one write, where a Buffer body
// takes a gathered write of two.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';

export interface Document {
  body: string;
  /** The body's length in bytes (UTF-8). */
  length: number;
  etag: string;
}

/** A document for `body`: its byte length and a strong ETag (SHA-256, truncated), computed once. */
export function jsonDocument(body: string): Document {
  return { body, length: Buffer.byteLength(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

export function sendDocument(ctx: AppContext, document: Document, contentType: string, cacheControl: string): void {
  const { res } = ctx;
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', document.etag);
  if (ctx.req.headers['if-none-match'] === document.etag) {
    ctx.status = 304;
    return;
  }
  ctx.respond = false;
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', document.length);
  res.end(document.body);
}
