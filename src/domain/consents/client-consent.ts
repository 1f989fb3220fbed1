// The consent a user gave an application, as the domain sees it: remembered per client and scope
// set (docs/accounts.md, Consents). Rows are mapped here, once (docs/architecture.md).
import type { Selectable } from 'kysely';
import type { ClientConsentTable } from '../../storage/schema.js';

export interface ClientConsent {
  userId: string;
  clientId: string;
  /** The scopes granted so far, sorted. */
  scopes: string[];
  grantedAt: number;
}

export const clientConsentFromRow = (row: Selectable<ClientConsentTable>): ClientConsent => ({
  userId: row.user_id,
  clientId: row.client_id,
  scopes: row.scope.split(' ').filter(Boolean),
  grantedAt: Number(row.granted_at),
});
