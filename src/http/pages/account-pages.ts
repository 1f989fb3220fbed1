// Hosted pages for people without an app of their own: create an account and ask for a reset
// link. They call the same services as the JSON API (same checks, limits and mails), behind the
// browser's CSRF secret, with 303 after every successful POST.
import type Router from '@koa/router';
import { isOAuthError } from '../../errors/oauth-error.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';
import { csrfSecret, formCsrf } from './browser-cookies.js';
import { html, renderPage } from './layout.js';

export function accountPages(router: Router<AppState>, services: Services): void {
  const { config } = services;
  const form = formBody(config.bodyLimit);

  const registerPage = (ctx: AppContext, csrf: string, problem?: string, values: { email?: string; name?: string } = {}, status = 200) =>
    renderPage(
      ctx,
      'Create your account',
      html`<form method="post" action="/register" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" value="${values.name ?? ''}" required>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" value="${values.email ?? ''}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<p class="hint">At least 8 characters; not a common password.</p>
<button type="submit">Create account</button>
</form>`,
      status,
    );

  const forgotPage = (ctx: AppContext, csrf: string, problem?: string, status = 200) =>
    renderPage(
      ctx,
      'Forgot your password?',
      html`<form method="post" action="/forgot-password" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">Send me a reset link</button>
</form>`,
      status,
    );

  const checkMail = (ctx: AppContext) => renderPage(ctx, 'Check your email', html`<p>If the address belongs to an account, a message with a link is on its way.</p>`);

  router.get('/register', (ctx) => {
    if (ctx.query.status === 'sent') return checkMail(ctx);
    registerPage(ctx, csrfSecret(ctx, config));
  });
  router.post('/register', form, async (ctx) => {
    const csrf = formCsrf(ctx, config);
    const { email = '', name = '', password = '' } = ctx.state.form;
    if (!csrf) return registerPage(ctx, csrfSecret(ctx, config), 'The form expired; please try again.', { email, name }, 403);
    try {
      await services.registration.register({ email, name, password }, requestMeta(ctx));
    } catch (error) {
      if (!isOAuthError(error) || error.status >= 500) throw error;
      return registerPage(ctx, csrf, error.description, { email: email.slice(0, 320), name: name.slice(0, 200) }, error.status);
    }
    ctx.status = 303;
    ctx.redirect('/register?status=sent');
  });

  router.get('/forgot-password', (ctx) => {
    if (ctx.query.status === 'sent') return checkMail(ctx);
    forgotPage(ctx, csrfSecret(ctx, config));
  });
  router.post('/forgot-password', form, async (ctx) => {
    const csrf = formCsrf(ctx, config);
    if (!csrf) return forgotPage(ctx, csrfSecret(ctx, config), 'The form expired; please try again.', 403);
    try {
      await services.passwords.forgot(ctx.state.form.email ?? '', requestMeta(ctx));
    } catch (error) {
      if (!isOAuthError(error) || error.status >= 500) throw error;
      return forgotPage(ctx, csrf, error.description, error.status);
    }
    ctx.status = 303;
    ctx.redirect('/forgot-password?status=sent');
  });
}
