// The account pages (docs/account.md): one handler factory for http/routes.ts, each page built from
// only the services it uses. The files beside this one hold a page (or two) each; gate.ts is what
// every page does first.
import type { Config } from '../../../config/config.js';
import type { PasswordService } from '../../../domain/accounts/passwords.js';
import type { ProfileService } from '../../../domain/accounts/profile.js';
import type { ConsentService } from '../../../domain/consents/consent-service.js';
import type { MfaService } from '../../../domain/mfa/mfa-service.js';
import type { PasskeyService } from '../../../domain/passkeys/passkey-service.js';
import type { AuthorizationFlow } from '../../../domain/oidc/authorization-flow.js';
import type { BrowserSessions } from '../../../domain/oidc/browser-sessions.js';
import type { SignOutService } from '../../../domain/sessions/sign-out.js';
import type { UpstreamSignIn } from '../../../domain/upstreams/upstream-sign-in.js';
import { appsPage } from './apps.js';
import { confirmPage } from './confirm.js';
import { connectionsPage } from './connections.js';
import { accountGate } from './gate.js';
import { passkeysPage } from './passkeys.js';
import { passwordPage } from './password.js';
import { profilePage } from './profile.js';
import { sessionsPage } from './sessions.js';
import { signOutPages } from './sign-out.js';
import { twoFactorPage } from './two-factor.js';

export { ACCOUNT_PATHS, CONFIRM_PATH, SIGN_OUT_PATH, SIGNED_OUT_PATH } from './nav.js';

export interface AccountPagesDeps {
  config: Config;
  authorization: AuthorizationFlow;
  browserSessions: BrowserSessions;
  profile: ProfileService;
  passwords: PasswordService;
  mfa: MfaService;
  signOut: SignOutService;
  consents: ConsentService;
  passkeys: PasskeyService;
  upstreamSignIn: UpstreamSignIn;
}

/** GET and POST of every account page; the POSTs need the form body parser before them. */
export function accountPagesHandlers(deps: AccountPagesDeps) {
  const { config } = deps;
  const gate = accountGate(deps);
  return {
    profile: profilePage(gate, deps.profile),
    password: passwordPage(gate, config, deps.passwords),
    twoFactor: twoFactorPage(gate, config, deps.mfa),
    sessions: sessionsPage(gate, config, deps.signOut),
    apps: appsPage(gate, deps.consents),
    passkeys: passkeysPage(gate, deps),
    connections: connectionsPage(gate, deps.upstreamSignIn),
    confirm: confirmPage(gate, deps.config, deps.browserSessions, deps.upstreamSignIn),
    signOut: signOutPages(gate, config, deps.signOut),
  };
}
