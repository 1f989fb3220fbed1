// Reading what another server answered (a client's jwks_uri, an upstream provider; outbound calls
// in docs/clients.md and docs/upstreams.md). A body is read only up to a limit, and
// a response is kept only as long as its Cache-Control allows, within our own bounds.

/**
 * The body, refused as soon as it passes `limit` bytes, whatever Content-Length claims. The
 * refusal is a TypeError, as fetch's own network failures are: the other server did not answer
 * as a server should.
 */
export async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new TypeError(`the response is larger than ${limit} bytes`);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new TypeError(`the response is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export interface CacheBounds {
  /** Without a max-age. */
  fallbackMs: number;
  /** The least we keep a response, also for no-store and no-cache (we must not refetch per request). */
  minMs: number;
  maxMs: number;
}

/**
 * How long a response may be kept: its Cache-Control max-age (RFC 9111 §5.2.2.1) held within
 * `bounds`. A max-age beyond any integer counts as the longest (RFC 9111 §1.2.2), so our maximum.
 */
export function cacheLifetimeMs(cacheControl: string | null | undefined, bounds: CacheBounds): number {
  if (!cacheControl) return bounds.fallbackMs;
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(cacheControl)) return bounds.minMs;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl)?.[1];
  if (maxAge === undefined) return bounds.fallbackMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, Number(maxAge) * 1000));
}
