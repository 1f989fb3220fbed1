// What a passkey form says when the browser's ceremony failed before anything reached the server:
// the script sends the DOMException's name (WebAuthn §5.1.3 and §5.1.4 name which ones), and the
// page shows the catalogue's words for it.
import { OAuthError } from '../../errors/oauth-error.js';

export function browserPasskeyError(name: string): OAuthError {
  // §6.3.2 step 3: an authenticator that already holds one of excludeCredentials answers InvalidStateError.
  if (name === 'InvalidStateError') return new OAuthError('conflict', 'this passkey is registered already', { reason: 'passkey_already_registered' });
  // Cancelled by the person, timed out, or no passkey of ours on this device.
  if (name === 'NotAllowedError' || name === 'AbortError') return new OAuthError('invalid_passkey', 'the passkey ceremony was cancelled', { reason: 'passkey_cancelled' });
  return new OAuthError('invalid_passkey', 'the browser could not complete the passkey ceremony', { detail: `browser error ${name.slice(0, 40)}` });
}
