// Opaque paging cursors for lists ordered by (created_at, id): the admin API's users and audit log.
import { OAuthError } from '../errors/oauth-error.js';

export interface CursorPosition {
  createdAt: number;
  id: string;
}

/** The cursor of the page after the one ending at `last` (a domain object, never a row). */
export const encodeCursor = (last: CursorPosition): string => Buffer.from(`${last.createdAt}:${last.id}`).toString('base64url');

export function decodeCursor(cursor: string): CursorPosition {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!createdAt || !id || !/^\d+$/.test(createdAt)) throw new OAuthError('invalid_request', 'cursor is not valid');
  return { createdAt: Number(createdAt), id };
}
