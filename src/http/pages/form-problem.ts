// "Show the form again with this message": how a hosted page answers a refusal it expects (a wrong
// password, a weak one, a limit), instead of the error middleware's JSON. The words come from the
// catalogue by the error's reason or code, never from its English description.
import { isOAuthError, type OAuthError } from '../../errors/oauth-error.js';
import type { Catalogue } from '../../i18n/catalogue.js';
import { html, type SafeHtml } from './layout.js';

export class FormProblem {
  constructor(
    /** Shown above the form, as the user's next step. */
    readonly message: string,
    /** The page's HTTP status. */
    readonly status: number,
  ) {}

  /** An expected refusal (an OAuthError under 500) as a problem of the form; anything else is rethrown. */
  static from(error: unknown, t: Catalogue): FormProblem {
    if (!isOAuthError(error) || error.status >= 500) throw error;
    return new FormProblem(errorMessage(error, t), error.status);
  }
}

/** What a page says for an error: its reason's words when it has one, else its code's. */
export const errorMessage = (error: OAuthError, t: Catalogue): string => (error.reason ? t.errors.reason[error.reason] : t.errors.code[error.code]);

/** The message block of a form: nothing when there is no problem. */
export const problemHtml = (problem: FormProblem | undefined): SafeHtml | string => (problem ? html`<p class="error" role="alert">${problem.message}</p>` : '');
