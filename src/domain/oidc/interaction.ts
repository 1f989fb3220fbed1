// A pending authorization request (an interaction) as the domain sees it: the request waiting for
// the hosted pages' password, TOTP and consent steps, bound to the browser that started it by the
// hash of its CSRF secret. Rows are mapped here, once (docs/architecture.md, "Rows stay in storage").
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { InteractionTable } from '../../storage/schema.js';
import type { AuthorizationRequest } from './authorization-request.js';

export type InteractionStep = InteractionTable['step'];

export interface PendingInteraction {
  id: string;
  /** SHA-256 of the CSRF secret held in the browser's cookie and echoed by every form. */
  csrfHash: string;
  clientId: string;
  /** The validated authorization request. */
  request: AuthorizationRequest;
  /** Set once the password step has passed (for the TOTP and consent steps). */
  userId: string | null;
  step: InteractionStep;
  /** Wrong codes at the TOTP step so far. */
  attempts: number;
  /** The methods passed before the TOTP step (`fed` after an upstream provider); null: the password. */
  amr: string[] | null;
  createdAt: number;
  expiresAt: number;
}

export function interactionFromRow(row: Selectable<InteractionTable>): PendingInteraction {
  return {
    id: row.id,
    csrfHash: row.csrf_hash,
    clientId: row.client_id,
    request: JSON.parse(row.params) as AuthorizationRequest,
    userId: row.user_id,
    step: row.step,
    attempts: row.attempts,
    amr: row.amr ? row.amr.split(' ') : null,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function interactionToRow(interaction: PendingInteraction): Insertable<InteractionTable> {
  return {
    id: interaction.id,
    csrf_hash: interaction.csrfHash,
    client_id: interaction.clientId,
    params: JSON.stringify(interaction.request),
    user_id: interaction.userId,
    step: interaction.step,
    attempts: interaction.attempts,
    amr: interaction.amr === null ? null : interaction.amr.join(' '),
    created_at: interaction.createdAt,
    expires_at: interaction.expiresAt,
  };
}

/** What a later step may change: who passed the password step, the step, the wrong codes. */
export type InteractionChanges = Partial<Pick<PendingInteraction, 'userId' | 'step' | 'attempts' | 'amr'>>;

const COLUMNS = { userId: 'user_id', step: 'step', attempts: 'attempts', amr: 'amr' } as const satisfies Record<keyof InteractionChanges, keyof InteractionTable>;

/** The row update for some fields of an interaction. */
export function interactionChanges(changes: InteractionChanges): Updateable<InteractionTable> {
  const row: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value !== undefined) row[COLUMNS[field as keyof typeof COLUMNS]] = Array.isArray(value) ? value.join(' ') : value;
  }
  return row as Updateable<InteractionTable>;
}
