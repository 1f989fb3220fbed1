// Signing in through other identity providers (src/http/pages/upstream.ts, docs/upstreams.md): the
// buttons on the sign-in page, the step that links an existing account, and the error page.
export const upstream = {
  /** Between the password form and the provider buttons. */
  or: 'Or',
  continueWith: (provider: string) => `Continue with ${provider}`,
  failedTitle: 'Sign-in through another provider failed',
  backToConnections: 'Back to connections',
  confirm: {
    title: (provider: string) => `Link your ${provider} account`,
    intro: (provider: string, email: string) =>
      `An account with the email address ${email} exists here already. To sign in to it with ${provider} from now on, enter its password once.`,
    code: 'Code from your authenticator app, or a backup code',
    submit: 'Link and continue',
    cancel: 'Cancel and sign in another way',
  },
};
