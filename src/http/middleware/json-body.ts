// Request bodies of the JSON APIs (/auth, /admin): application/json only (415 otherwise), at most
// BODY_LIMIT bytes (413), a JSON object (400 otherwise). An empty body is an empty object.
import { HttpMethodEnum, koaBody } from 'koa-body';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';

export function jsonBody(limit: number) {
  const read = koaBody({
    multipart: false,
    urlencoded: false,
    text: false,
    json: true,
    jsonLimit: limit,
    jsonStrict: true,
    includeUnparsed: true,
    parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PATCH, HttpMethodEnum.PUT, HttpMethodEnum.DELETE],
  });
  return async function jsonBodyMiddleware(ctx: AppContext, next: Next) {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.is('application/json')) throw new OAuthError('invalid_request', 'the body must be application/json', { status: 415 });
    let body: unknown = {};
    if (hasBody) {
      await read(ctx, async () => {});
      const raw = (ctx.request as { rawBody?: unknown }).rawBody;
      // raw-body replaces undecodable bytes with U+FFFD.
      if (typeof raw === 'string' && raw.includes('\uFFFD')) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
      body = (ctx.request as { body?: unknown }).body;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OAuthError('invalid_request', 'the body must be a JSON object');
    ctx.state.body = body as Record<string, unknown>;
    await next();
  };
}
