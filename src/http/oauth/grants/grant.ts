// The interface every grant of the token endpoint implements (Dex server/grants style): the
// endpoint authenticates the client and checks it may use the grant; the grant does the rest.
import type { RequestMeta } from '../../../audit/audit-log.js';
import type { Client } from '../../../domain/clients/client.js';
import type { TokenType } from '../../../domain/sessions/sessions.js';
import type { DpopProof } from '../../../domain/tokens/dpop.js';

export interface TokenResponse {
  access_token: string;
  token_type: TokenType;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issued_token_type?: string;
}

export interface GrantRequest {
  client: Client;
  form: Readonly<Record<string, string>>;
  /** Where the request came from (for sessions and the audit log). */
  meta: RequestMeta;
  /** The request's DPoP proof, checked (RFC 9449 §5): what the access token is bound to. */
  dpop?: DpopProof;
}

export type Grant = (request: GrantRequest) => Promise<TokenResponse>;
