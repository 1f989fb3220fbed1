// Request bodies of the OAuth endpoints: application/x-www-form-urlencoded only (RFC 6749 §3.2),
// at most BODY_LIMIT bytes (koa-body enforces it, before reading past the limit), decoded strictly:
// malformed percent-encoding or invalid UTF-8 is a 400, and a parameter sent twice is
// invalid_request (RFC 6749 §3.1). The result is a plain null-prototype record of strings.
import { HttpMethodEnum, koaBody } from 'koa-body';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';

const FORM = 'application/x-www-form-urlencoded';
const MAX_PARAMETERS = 64;

export function formBody(limit: number) {
  const read = koaBody({
    multipart: false,
    urlencoded: false,
    json: false,
    text: true,
    textTypes: [FORM],
    textLimit: limit,
    encoding: 'utf-8',
    parsedMethods: [HttpMethodEnum.POST],
  });
  return async function formBodyMiddleware(ctx: AppContext, next: Next) {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.is(FORM)) {
      throw new OAuthError('invalid_request', `the body must be ${FORM}`, { status: 415 });
    }
    const charset = ctx.request.charset;
    if (charset && charset.toLowerCase() !== 'utf-8') {
      throw new OAuthError('invalid_request', 'the body must be UTF-8', { status: 415 });
    }
    await read(ctx, async () => {});
    const raw: unknown = (ctx.request as { body?: unknown }).body;
    ctx.state.form = parseForm(typeof raw === 'string' ? raw : '');
    await next();
  };
}

export function parseForm(body: string): Record<string, string> {
  // raw-body replaces undecodable bytes with U+FFFD; a form body is ASCII anyway.
  if (body.includes('\uFFFD')) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
  const form: Record<string, string> = Object.create(null) as Record<string, string>;
  if (body === '') return form;
  const pairs = body.split('&');
  if (pairs.length > MAX_PARAMETERS) throw new OAuthError('invalid_request', 'too many parameters');
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
    if (Object.hasOwn(form, name)) throw new OAuthError('invalid_request', `the parameter ${JSON.stringify(name.slice(0, 40))} is repeated`);
    // RFC 6749 §3.1: a parameter without a value is treated as omitted.
    if (value !== '') form[name] = value;
  }
  return form;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_request', 'the body has malformed percent-encoding or invalid UTF-8');
  }
}
