// The hosted sign-in and the pages around it: sign-in, second factor, consent, sign-up, forgotten
// password, the pages mails link to, sign-out, and the error pages of the sign-in
// (src/http/pages/sign-in.ts, sign-up-pages.ts, mail-links.ts, page-errors.ts; src/http/oauth/).

/** What each scope lets an application do, in words (the consent page, the connected apps page). */
const SCOPES: ReadonlyMap<string, string> = new Map([
  ['openid', 'Know who you are (your account identifier)'],
  ['profile', 'See your name'],
  ['email', 'See your email address and whether it is verified'],
  ['offline_access', 'Keep access while you are away'],
]);

export const signIn = {
  /** A scope in words; a scope we have no words for is named as it is. */
  scopes: (scope: string): string => SCOPES.get(scope) ?? `Use the permission “${scope}”`,
  email: 'Email',
  password: 'Password',
  backToSignIn: 'Back to sign in',
  checkMailTitle: 'Check your email',
  login: {
    titleApp: (app: string) => `Sign in to continue to ${app}`,
    titleAccount: (brand: string) => `Sign in to your ${brand} account`,
    submit: 'Sign in',
    forgotPassword: 'Forgot your password?',
    newHere: 'New here?',
    createAccount: 'Create an account',
  },
  totp: {
    title: 'Enter your code',
    intro: 'Your account is protected with two-factor authentication.',
    label: 'Code from your authenticator app, or a backup code',
    hint: 'Lost your phone? Enter one of your backup codes instead.',
    submit: 'Continue',
  },
  consent: {
    title: (app: string) => `${app} wants to access your account`,
    signedInAs: (email: string) => `Signed in as ${email}`,
    notYou: 'Not you? Use another account',
    intro: (app: string) => `${app} will be able to:`,
    allow: 'Allow',
    deny: 'Deny',
    later: 'You can take this access back at any time on your account page.',
  },
  interrupted: {
    title: 'Sign-in interrupted',
    startAgain: 'Go back to the application and start again.',
  },
  badRequest: {
    title: 'This sign-in request cannot be used',
    text: 'The application sent a sign-in request that we cannot accept.',
    next: "Go back to the application and try again. If it keeps happening, tell the application's owner.",
    details: "Details for the application's developer",
  },
  register: {
    title: 'Create your account',
    name: 'Name',
    passwordHint: 'At least 8 characters; not a common password.',
    submit: 'Create account',
    haveAccount: 'Already have an account?',
    signIn: 'Sign in',
    sent: 'We sent you a message to confirm your email address. Open the link in it to finish creating your account. The link works for 24 hours.',
    noMail: 'No message after a few minutes? Look in your spam folder.',
    resend: 'Send the link again',
  },
  forgot: {
    title: 'Forgot your password?',
    intro: 'Enter the email address of your account, and we will send you a link to choose a new password.',
    submit: 'Send me a reset link',
    sent: 'If an account uses that address, we sent it a link to choose a new password. The link works for 1 hour.',
  },
  resend: {
    title: 'Send the confirmation link again',
    intro: 'Enter the email address you signed up with, and we will send you a new link to confirm it.',
    submit: 'Send a new link',
    sent: 'If that address belongs to an account that still needs confirming, a new link is on its way. It works for 24 hours, and earlier links stop working.',
  },
  verify: {
    title: 'Verify your email address',
    intro: 'Confirm that this email address is yours.',
    submit: 'Verify my email address',
    doneTitle: 'Email address verified',
    done: 'Your email address is verified. You can sign in now.',
    continue: 'Continue to your account',
  },
  reset: {
    title: 'Choose a new password',
    label: 'New password',
    submit: 'Set new password',
    doneTitle: 'Password changed',
    done: 'Your password has been changed and every session has been signed out. Sign in with the new password.',
    signIn: 'Sign in',
  },
  badLink: {
    title: 'Link not valid',
    newVerify: 'Send a new confirmation link',
    newReset: 'Ask for a new reset link',
  },
  signOut: {
    title: 'Sign out?',
    question: (brand: string) => `Do you want to sign out of ${brand}?`,
    submit: 'Sign out',
    doneTitle: 'You are signed out',
    done: (brand: string) => `You have been signed out of ${brand}.`,
    signInAgain: 'Sign in again',
    backTo: (app: string) => `Back to ${app}`,
    refusedTitle: 'Sign-out request refused',
    refused: 'The application asked us to send you to an address it has not registered, so nothing was changed: you are still signed in.',
    refusedDetail: 'post_logout_redirect_uri is not registered for this application, or no valid id_token_hint names the application.',
  },
  /** The page of an error no form can answer (src/http/middleware/page-errors.ts). */
  problem: {
    tooLarge: 'The form was too large to send. Shorten what you entered and try again.',
  },
};
