// Reading typed fields out of a JSON body: a missing or mistyped field is 400 invalid_request,
// named in the description. Limits are generous for people and tight for attackers.
import { OAuthError } from '../../errors/oauth-error.js';

type Body = Readonly<Record<string, unknown>>;

const LIMITS: Record<string, number> = { email: 320, password: 1024, current_password: 1024, name: 400, token: 512, refresh_token: 512, code: 64, mfa_token: 512, client_id: 128, role: 32 };

export function optionalString(body: Body, field: string): string | undefined {
  const value = Object.hasOwn(body, field) ? body[field] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${field} must be a string`);
  if (value.length > (LIMITS[field] ?? 2048)) throw new OAuthError('invalid_request', `${field} is too long`);
  return value;
}

export function requiredString(body: Body, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `${field} is required`);
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = Object.hasOwn(body, field) ? body[field] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new OAuthError('invalid_request', `${field} must be true or false`);
  return value;
}

export const field = (body: Body, name: string): unknown => (Object.hasOwn(body, name) ? body[name] : undefined);
