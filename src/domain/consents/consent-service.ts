// The consents a user gave to (third-party) applications: listed, and revoked later (docs/accounts.md,
// Consents; remembered per client and scope set). Revoking also ends the sessions the application
// got through codes, so its refresh tokens die with the consent.
import { audit, type Actor } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { deleteClientConsent, listClientConsents } from '../../storage/repositories/oidc.js';
import { endClientSessions } from '../../storage/repositories/sessions.js';
import type { Client } from '../clients/client.js';
import { clientConsentFromRow } from './client-consent.js';

export interface GrantedConsent {
  clientId: string;
  /** Null when the client has been deleted since. */
  clientName: string | null;
  /** Space-separated, sorted. */
  scope: string;
  grantedAt: number;
}

export class ConsentService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly findClient: (clientId: string) => Promise<Client | undefined>,
    /** After a revocation ended the app's sessions: their back-channel logout goes out now. */
    private readonly sessionsEnded: () => void = () => {},
  ) {}

  /** The user's consents, newest first, with the names the applications have now. */
  async list(userId: string): Promise<GrantedConsent[]> {
    const stored = (await listClientConsents(this.db, userId)).map(clientConsentFromRow);
    const consents: GrantedConsent[] = [];
    for (const consent of stored) {
      const client = await this.findClient(consent.clientId);
      consents.push({ clientId: consent.clientId, clientName: client?.name ?? null, scope: consent.scopes.join(' '), grantedAt: consent.grantedAt });
    }
    return consents;
  }

  /** The next authorization at that application asks again; `not_found` when there was no consent. */
  async revoke(user: Actor, clientId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (!(await deleteClientConsent(tx, user.id, clientId))) throw new OAuthError('not_found', 'no consent for that application');
      const now = this.clock.now();
      await endClientSessions(tx, user.id, clientId, 'consent_revoked', now);
      await audit(tx, { event: 'user.consent_revoked', userId: user.id, meta: user.meta, detail: { client_id: clientId } }, now);
    });
    this.sessionsEnded();
  }
}
