// A passkey as the domain sees it (docs/passkeys.md): a WebAuthn public key credential of one
// person, with its sign count and whether it is synced. Rows are mapped here, once
// (docs/architecture.md, "Rows stay in storage"), and so is the JSON view of the /auth API.
import type { Insertable } from 'kysely';
import type { PasskeyRow } from '../../storage/repositories/passkeys.js';
import type { PasskeyTable } from '../../storage/schema.js';

/** WebAuthn §6.1.3: a credential that may be backed up (synced) is `multiDevice`. */
export type DeviceType = 'singleDevice' | 'multiDevice';

export interface Passkey {
  id: string;
  userId: string;
  /** base64url. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string[];
  name: string;
  deviceType: DeviceType;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export function passkeyFromRow(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports === '' ? [] : row.transports.split(' '),
    name: row.name,
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

export function passkeyToRow(passkey: Passkey): Insertable<PasskeyTable> {
  return {
    id: passkey.id,
    user_id: passkey.userId,
    credential_id: passkey.credentialId,
    public_key: passkey.publicKey,
    sign_count: passkey.signCount,
    transports: passkey.transports.join(' '),
    name: passkey.name,
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp ? 1 : 0,
    created_at: passkey.createdAt,
    last_used_at: passkey.lastUsedAt,
  };
}

/**
 * The `amr` value of a passkey (RFC 8176 §2): `swk`, proof of possession of a software-secured
 * key, for a synced passkey (its private key travels between devices through the vendor's
 * keychain); `hwk`, a hardware-secured key, for one bound to its authenticator.
 */
export const passkeyMethod = (passkey: Pick<Passkey, 'deviceType'>): 'hwk' | 'swk' => (passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk');

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The JSON view of the /auth API (docs/accounts.md, Passkeys). */
export const passkeyView = (passkey: Passkey) => ({
  id: passkey.id,
  name: passkey.name,
  created_at: iso(passkey.createdAt),
  last_used_at: iso(passkey.lastUsedAt),
  synced: passkey.deviceType === 'multiDevice',
});
