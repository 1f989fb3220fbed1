// Every migration, in order. Listed explicitly (not read from the folder at run time) so that the
// compiled build, the tests under tsx and the CLI all run exactly the same set.
import type { Migration } from 'kysely';
import * as tokenService from './2026-11-21-001-token-service.js';
import * as accounts from './2026-11-21-002-accounts.js';
import * as twoFactor from './2026-11-21-003-two-factor.js';
import * as browserSignIn from './2026-11-21-004-browser-sign-in.js';
import * as interopFixes from './2026-11-24-001-interop-fixes.js';
import * as servedIssuer from './2026-11-24-002-served-issuer.js';
import * as clientProofs from './2026-11-24-003-client-proofs.js';
import * as dpop from './2026-11-24-004-dpop.js';
import * as passkeys from './2026-11-24-005-passkeys.js';
import * as upstreams from './2026-11-24-006-upstreams.js';
import * as exchangeAndBackchannel from './2026-11-24-007-exchange-and-backchannel.js';
import * as deviceCodes from './2026-11-24-008-device-codes.js';

export const migrations: Record<string, Migration> = {
  '2026-11-21-001-token-service': tokenService,
  '2026-11-21-002-accounts': accounts,
  '2026-11-21-003-two-factor': twoFactor,
  '2026-11-21-004-browser-sign-in': browserSignIn,
  '2026-11-24-001-interop-fixes': interopFixes,
  '2026-11-24-002-served-issuer': servedIssuer,
  '2026-11-24-003-client-proofs': clientProofs,
  '2026-11-24-004-dpop': dpop,
  '2026-11-24-005-passkeys': passkeys,
  '2026-11-24-006-upstreams': upstreams,
  '2026-11-24-007-exchange-and-backchannel': exchangeAndBackchannel,
  '2026-11-24-008-device-codes': deviceCodes,
};
