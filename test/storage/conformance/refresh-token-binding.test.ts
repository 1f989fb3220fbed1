// Storage conformance: the DPoP binding of refresh tokens (migrations/2026-11-24-004-dpop.ts,
// RFC 9449 §5) on every dialect here, read back through the domain's mapper.
import test from 'ava';
import { refreshTokenFromRow, refreshTokenToRow } from '../../../src/domain/sessions/refresh-token.js';
import { findRefreshToken, insertRefreshToken } from '../../../src/storage/repositories/sessions.js';
import { DIALECTS } from '../../helpers/env.js';
import { addSession, addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

for (const dialect of DIALECTS) {
  test(`${dialect}: a refresh token keeps its DPoP key thumbprint; an unbound one has none`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const session = await addSession(db, await addUser(db));
    const token = { id: 'bound-id', sessionId: session, clientId: 'tessera', scopes: ['openid'], createdAt: T0, expiresAt: T0 + 3_600_000, usedAt: null };
    await insertRefreshToken(db, refreshTokenToRow({ ...token, tokenHash: 'bound', dpopJkt: JKT }));
    await insertRefreshToken(db, refreshTokenToRow({ ...token, id: 'plain-id', tokenHash: 'plain', dpopJkt: null }));
    // Rows written before the column existed (no value given) read as unbound.
    await insertRefreshToken(db, { token_hash: 'older', id: 'older-id', session_id: session, client_id: 'tessera', scope: 'openid', created_at: T0, expires_at: T0 + 1, used_at: null });

    t.deepEqual(refreshTokenFromRow((await findRefreshToken(db, 'bound'))!), { ...token, tokenHash: 'bound', dpopJkt: JKT });
    t.is(refreshTokenFromRow((await findRefreshToken(db, 'plain'))!).dpopJkt, null);
    t.is(refreshTokenFromRow((await findRefreshToken(db, 'older'))!).dpopJkt, null);
  });
}
