// Two client registrations of docs/delegation.md and docs/sign-in.md, checked once at registration:
// the audiences a client may ask for with token exchange (RFC 8693), and the URL where it hears
// that a session ended (OpenID Connect Back-Channel Logout 1.0 §2.2).
import { OAuthError } from '../../errors/oauth-error.js';
import { TOKEN_EXCHANGE_GRANT, type AuthMethod } from './client.js';

export const MAX_EXCHANGE_AUDIENCES = 20;
const MAX_AUDIENCE_LENGTH = 2048;
const MAX_LOGOUT_URI_LENGTH = 2048;

const invalid = (description: string) => new OAuthError('invalid_request', description);

/**
 * The audiences of token exchange: only with the grant, never empty with it (a client that may
 * exchange for nothing is a mistake), and only for a confidential client: the grant is for services,
 * which authenticate (RFC 8693 §2.1 leaves client authentication to the server's policy).
 */
export function checkExchangeAudiences(input: readonly string[] | undefined, grantTypes: readonly string[], authMethod: AuthMethod): string[] {
  const audiences = [...new Set((input ?? []).map((value) => value.trim()).filter(Boolean))];
  const exchanges = grantTypes.includes(TOKEN_EXCHANGE_GRANT);
  if (!exchanges) {
    if (audiences.length > 0) throw invalid(`exchange audiences need the ${TOKEN_EXCHANGE_GRANT} grant`);
    return [];
  }
  if (authMethod === 'none') throw invalid('a public client may not use token exchange');
  if (audiences.length === 0) throw invalid('the token exchange grant needs at least one exchange audience');
  if (audiences.length > MAX_EXCHANGE_AUDIENCES) throw invalid(`more than ${MAX_EXCHANGE_AUDIENCES} exchange audiences`);
  for (const audience of audiences) {
    if (audience.length > MAX_AUDIENCE_LENGTH) throw invalid(`an exchange audience is longer than ${MAX_AUDIENCE_LENGTH} characters`);
    // RFC 8693 §2.1: an audience is a logical name or a URI; one with a space or a control
    // character could never be asked for in a form field intact.
    if (/[\s\u0000-\u001f\u007f]/.test(audience)) throw invalid(`the exchange audience ${JSON.stringify(audience.slice(0, 64))} holds a space or a control character`);
  }
  return audiences;
}

/**
 * Back-Channel Logout §2.2: an absolute URL without a fragment; https, or plain http on loopback
 * (as for jwks_uri). Private addresses are allowed: only admins register clients (README, Outbound
 * calls). Empty clears it.
 */
export function checkBackchannelLogoutUri(text: string | undefined): string | null {
  const uri = text?.trim() ?? '';
  if (uri === '') return null;
  if (uri.length > MAX_LOGOUT_URI_LENGTH) throw invalid(`backchannel_logout_uri is longer than ${MAX_LOGOUT_URI_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`backchannel_logout_uri ${JSON.stringify(uri.slice(0, 200))} is not an absolute URL`);
  }
  if (url.hash || uri.includes('#')) throw invalid('backchannel_logout_uri has a fragment');
  if (url.username || url.password) throw invalid('backchannel_logout_uri carries credentials');
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw invalid('backchannel_logout_uri must use https (plain http only for localhost)');
  return uri;
}
