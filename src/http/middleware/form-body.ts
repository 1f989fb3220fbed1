// Request bodies of the OAuth endpoints and the hosted pages: application/x-www-form-urlencoded
// only (RFC 6749 §3.2, 415 otherwise), at most BODY_LIMIT bytes (413, refused from Content-Length
// before anything is read, or as soon as a chunked body passes it), decoded strictly: invalid UTF-8
// or malformed percent-encoding is a 400, and a parameter sent twice is invalid_request (RFC 6749
// §3.1). The result is a plain null-prototype record of strings.
//
// Read with raw-body, the reader under koa-body (which serves the JSON APIs): a form needs no more
// than bytes and a limit, and on the token and introspection endpoints koa-body's content
// negotiation was a measurable part of each request.
import getRawBody from 'raw-body';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';

const FORM = 'application/x-www-form-urlencoded';
const MAX_PARAMETERS = 64;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads and parses the form body of a POST (an empty record when there is none). */
export async function readForm(ctx: AppContext, limit: number): Promise<Record<string, string>> {
  const { headers } = ctx.req;
  const length = headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
  if (!hasBody) return parseForm('');
  // The exact header every client sends is recognised without parsing it.
  const type = headers['content-type'];
  if (type !== FORM && !ctx.is(FORM)) throw new OAuthError('invalid_request', `the body must be ${FORM}`, { status: 415 });
  if (type !== FORM) {
    const charset = ctx.request.charset;
    if (charset && charset.toLowerCase() !== 'utf-8') throw new OAuthError('invalid_request', 'the body must be UTF-8', { status: 415 });
  }
  const coding = headers['content-encoding'];
  if (coding !== undefined && coding.toLowerCase() !== 'identity') {
    throw new OAuthError('invalid_request', 'the body must not be compressed', { status: 415 });
  }
  // raw-body answers a body over the limit with 413 (entity.too.large) and a body shorter than its
  // Content-Length with 400 (request.size.invalid); the error middleware maps both.
  const bytes = await getRawBody(ctx.req, { length, limit });
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
  }
  return parseForm(text);
}

export function formBody(limit: number) {
  return async function formBodyMiddleware(ctx: AppContext, next: Next) {
    ctx.state.form = ctx.method === 'POST' ? await readForm(ctx, limit) : parseForm('');
    await next();
  };
}

export function parseForm(body: string): Record<string, string> {
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
    return formUrlDecode(text);
  } catch {
    throw new OAuthError('invalid_request', 'the body has malformed percent-encoding or invalid UTF-8');
  }
}

/**
 * One application/x-www-form-urlencoded value ('+' is a space); throws URIError on malformed
 * percent-encoding. Most values need no decoding at all (client ids, grant types, JWTs).
 */
export function formUrlDecode(text: string): string {
  return text.includes('%') || text.includes('+') ? decodeURIComponent(text.replace(/\+/g, ' ')) : text;
}
