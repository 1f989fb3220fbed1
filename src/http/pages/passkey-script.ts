// The scripts of the passkey buttons (docs/passkeys.md), served from our own origin so the pages'
// CSP stays `script-src 'self'` with nothing inline: @simplewebauthn/browser's bundle, which turns
// the server's JSON options into navigator.credentials calls and the answers back into JSON, and a
// few lines of ours that wire the buttons to it.
//
// Every passkey form is an ordinary form of the page (`data-passkey` says which ceremony, and
// `data-options` where its options come from). The script fetches the options, runs the ceremony,
// puts the answer (or the name of the browser's error) into the form's hidden fields and submits
// the form: the server answers with a 303 or the page again with its words for the problem, so
// every message stays in the catalogues and the pages work the same with or without a passkey.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AppContext } from '../context.js';
import { asset, serve } from './assets.js';

export const WEBAUTHN_SCRIPT_PATH = '/assets/webauthn.js';
export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';
/** What a page with passkey buttons loads, in order. */
export const PASSKEY_SCRIPTS = [WEBAUTHN_SCRIPT_PATH, PASSKEY_SCRIPT_PATH] as const;

/** The package's exports name no bundle, so it is found beside the CommonJS entry. */
function webauthnBundle(): Buffer {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'));
}

export const PASSKEY_SCRIPT = `// Tessera: the passkey buttons (docs/passkeys.md). No text of its own: the server words every outcome.
(function () {
  'use strict';
  var swa = globalThis.SimpleWebAuthnBrowser;
  if (!swa || !swa.browserSupportsWebAuthn()) return;

  function field(form, name) { return form.elements.namedItem(name); }

  function options(form) {
    var body = new URLSearchParams();
    ['csrf', 'interaction'].forEach(function (name) { var input = field(form, name); if (input) body.set(name, input.value); });
    return fetch(form.dataset.options, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) { var error = new Error(answer.error_description || 'refused'); error.name = 'OptionsRefused'; throw error; }
          return answer;
        });
      });
  }

  function finish(form, ceremony, result, error) {
    field(form, 'ceremony').value = ceremony || '';
    field(form, 'credential').value = result ? JSON.stringify(result) : '';
    field(form, 'error').value = error || '';
    form.submit();
  }

  var busy = false;
  function run(form, autofill) {
    if (busy && !autofill) return;
    if (!autofill) busy = true;
    var ceremony;
    options(form).then(function (answer) {
      if (answer.reauthenticate) { window.location.assign(answer.reauthenticate); return; }
      ceremony = answer.ceremony_id;
      var started = form.dataset.passkey === 'register'
        ? swa.startRegistration({ optionsJSON: answer.options })
        : swa.startAuthentication({ optionsJSON: answer.options, useBrowserAutofill: autofill });
      return started.then(function (result) { finish(form, ceremony, result); });
    }).catch(function (error) {
      // Passkey autofill is cancelled whenever a button starts a ceremony of its own: not a problem.
      if (autofill) return;
      busy = false;
      finish(form, ceremony, null, String((error && error.name) || 'Error').slice(0, 40));
    });
  }

  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    form.hidden = false;
    form.addEventListener('submit', function (event) { event.preventDefault(); run(form, false); });
    if (form.dataset.autofill && swa.browserSupportsWebAuthnAutofill) {
      swa.browserSupportsWebAuthnAutofill().then(function (supported) { if (supported) run(form, true); });
    }
  });
})();
`;

/** GET of the two scripts; read once, at start. */
export function passkeyAssetHandlers() {
  const bundle = asset(webauthnBundle(), 'text/javascript; charset=utf-8');
  const script = asset(PASSKEY_SCRIPT, 'text/javascript; charset=utf-8');
  return {
    webauthn: (ctx: AppContext) => serve(ctx, bundle),
    passkeys: (ctx: AppContext) => serve(ctx, script),
  };
}
