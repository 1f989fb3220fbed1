// The interface every grant of the token endpoint implements (Dex server/grants style): the
// endpoint authenticates the client and checks it may use the grant; the grant does the rest.
import type { Client } from '../../../domain/clients/client.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

export interface GrantRequest {
  client: Client;
  form: Readonly<Record<string, string>>;
}

export type Grant = (request: GrantRequest) => Promise<TokenResponse>;
