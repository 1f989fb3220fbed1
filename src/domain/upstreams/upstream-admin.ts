// Registering upstream identity providers: the one code path behind `tessera upstreams …` and
// /admin/upstreams (docs/upstreams.md). The client secret is sealed under the key-encryption key
// (as TOTP secrets are) and never shown again; every change is audited with its actor.
import { audit, type Actor } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Sealer } from '../../crypto/sealing.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { deleteUpstream, findUpstream, insertUpstream, listUpstreams, updateUpstream } from '../../storage/repositories/upstreams.js';
import {
  checkClientId,
  checkClientSecret,
  checkDisplayName,
  checkIssuer,
  checkScope,
  checkUpstreamName,
  isPreset,
  PRESET_DEFAULTS,
  upstreamFromRow,
  upstreamSecretData,
  type Preset,
  type Upstream,
} from './upstream.js';

export interface NewUpstream {
  name: string;
  /** Optional with a preset, which knows its issuer. */
  issuer?: string | undefined;
  clientId: string;
  clientSecret: string;
  displayName?: string | undefined;
  scope?: string | undefined;
  preset?: string | undefined;
}

export interface UpstreamChanges {
  displayName?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scope?: string | undefined;
}

const notFound = (name: string) => new OAuthError('not_found', `no upstream named ${JSON.stringify(name)}`);

export class UpstreamAdmin {
  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    /** Tells this process's upstream clients to forget what they cached about a changed upstream. */
    private readonly changed: (name: string) => void = () => {},
  ) {}

  async add(input: NewUpstream, actor: Actor): Promise<Upstream> {
    const name = checkUpstreamName(input.name);
    let preset: Preset | null = null;
    if (input.preset !== undefined) {
      if (!isPreset(input.preset)) throw new OAuthError('invalid_request', 'preset must be one of google, microsoft, github');
      preset = input.preset;
    }
    const defaults = preset ? PRESET_DEFAULTS[preset] : undefined;
    const issuerText = input.issuer ?? defaults?.issuer;
    if (issuerText === undefined) throw new OAuthError('invalid_request', 'issuer is required (or a preset that knows it)');
    const issuer = checkIssuer(issuerText, preset);
    const scopes = checkScope(input.scope ?? defaults?.scope ?? 'openid email profile', preset);
    const displayName = checkDisplayName(input.displayName ?? defaults?.displayName ?? name);
    const clientId = checkClientId(input.clientId);
    const secret = checkClientSecret(input.clientSecret);
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      if (await findUpstream(tx, name)) throw new OAuthError('conflict', `an upstream named ${JSON.stringify(name)} exists`);
      await insertUpstream(tx, {
        name,
        display_name: displayName,
        issuer,
        client_id: clientId,
        client_secret_sealed: this.sealer.seal(secret, upstreamSecretData(name)),
        scope: scopes.join(' '),
        preset,
        created_at: now,
        updated_at: now,
      });
      await audit(tx, { event: 'upstream.created', actorId: actor.id, meta: actor.meta, detail: { upstream: name, issuer, preset } }, now);
    });
    return this.get(name);
  }

  async list(): Promise<Upstream[]> {
    return (await listUpstreams(this.db)).map(upstreamFromRow);
  }

  async get(name: string): Promise<Upstream> {
    const row = await findUpstream(this.db, name);
    if (!row) throw notFound(name);
    return upstreamFromRow(row);
  }

  /** Changes what may change without breaking the identities linked to it (not the name, issuer or preset). */
  async update(name: string, changes: UpstreamChanges, actor: Actor): Promise<Upstream> {
    const current = await this.get(name);
    const row: Record<string, unknown> = {};
    if (changes.displayName !== undefined) row.display_name = checkDisplayName(changes.displayName);
    if (changes.clientId !== undefined) row.client_id = checkClientId(changes.clientId);
    if (changes.scope !== undefined) row.scope = checkScope(changes.scope, current.preset).join(' ');
    if (changes.clientSecret !== undefined) row.client_secret_sealed = this.sealer.seal(checkClientSecret(changes.clientSecret), upstreamSecretData(name));
    if (Object.keys(row).length === 0) throw new OAuthError('invalid_request', 'nothing to change');
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      if (!(await updateUpstream(tx, name, { ...row, updated_at: now }))) throw notFound(name);
      // Which fields changed, never their values (the secret's least of all).
      await audit(tx, { event: 'upstream.updated', actorId: actor.id, meta: actor.meta, detail: { upstream: name, fields: Object.keys(row).join(' ') } }, now);
    });
    this.changed(name);
    return this.get(name);
  }

  /**
   * Deletes an upstream: its button and callback go, and so do the identities linked through it
   * (a later upstream of the same name may be another provider, whose `sub`s mean other people).
   * The local accounts stay.
   */
  async delete(name: string, actor: Actor): Promise<Upstream> {
    const upstream = await this.get(name);
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      if (!(await deleteUpstream(tx, name))) throw notFound(name);
      await audit(tx, { event: 'upstream.deleted', actorId: actor.id, meta: actor.meta, detail: { upstream: name } }, now);
    });
    this.changed(name);
    return upstream;
  }
}
