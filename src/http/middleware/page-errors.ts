// The errors of the hosted pages as pages. What a page handler does not answer itself (a limit
// reached on a mail link, a form body over BODY_LIMIT, a database that is away) would otherwise
// reach the envelope's JSON body, which a person in a browser cannot read. This step lets the
// error middleware decide everything it decides for an API (status, headers such as Retry-After,
// the log line), then replaces only the JSON with a page in the reader's language.
import type { Config } from '../../config/config.js';
import { ACCOUNT_PATH } from '../../domain/accounts/registration.js';
import type { AppContext, Next } from '../context.js';
import { errorMessage } from '../pages/form-problem.js';
import { html, renderPage } from '../pages/layout.js';
import { pageView } from '../pages/view.js';
import { renderError, toOAuthError } from './errors.js';

export function pageErrors(config: Config) {
  return async function pageErrorsMiddleware(ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
    } catch (thrown) {
      const error = toOAuthError(thrown);
      renderError(ctx, thrown);
      const view = pageView(ctx, config);
      const { t } = view;
      const message = ctx.status === 413 ? t.signIn.problem.tooLarge : errorMessage(error, t);
      renderPage(ctx, view, {
        title: ctx.status === 404 ? t.common.notFoundTitle : t.common.errorTitle,
        body: html`<p class="error" role="alert">${message}</p>
<p><a href="${ACCOUNT_PATH}">${t.common.goToAccount}</a></p>`,
        status: ctx.status,
      });
    }
  };
}
