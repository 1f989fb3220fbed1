// "Show the form again with this message": how a hosted page answers a refusal it expects (a wrong
// password, a weak one, a limit), instead of the error middleware's JSON.
import { isOAuthError } from '../../errors/oauth-error.js';
import { html, type SafeHtml } from './layout.js';

export class FormProblem {
  constructor(
    /** Shown above the form, as the user's next step. */
    readonly message: string,
    /** The page's HTTP status. */
    readonly status: number,
  ) {}

  /** An expected refusal (an OAuthError under 500) as a problem of the form; anything else is rethrown. */
  static from(error: unknown): FormProblem {
    if (!isOAuthError(error) || error.status >= 500) throw error;
    return new FormProblem(error.description, error.status);
  }
}

/** The message block of a form: nothing when there is no problem. */
export const problemHtml = (problem: FormProblem | undefined): SafeHtml | string => (problem ? html`<p class="error" role="alert">${problem.message}</p>` : '');
