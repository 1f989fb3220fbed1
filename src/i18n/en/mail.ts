// The mails (src/mail/templates.ts): each mail's subject, paragraphs and button labels, and the
// frame every mail shares. `brand` is BRAND_NAME; dates arrive already written in this language.
export const mail = {
  greeting: (name: string) => `Hello ${name},`,
  greetingWithoutName: 'Hello,',
  /** Two lines: the closing, then the brand. */
  signOff: (brand: string) => `Kind regards,\n${brand}`,
  buttonFallback: 'If the button does not work, copy this link into your browser:',
  automated: (brand: string) => `This is an automated email from ${brand}.`,
  notYouReset: 'If this wasn\'t you, reset your password right away ("Forgot your password?" on the sign-in page) and tell your administrator.',
  verifyEmail: {
    subject: 'Verify your email address',
    intro: (brand: string) => `Welcome to ${brand}! Please confirm that this is your email address:`,
    button: 'Verify email address',
    expiry: 'The link works for 24 hours.',
    notYou: (brand: string) => `If you didn't create a ${brand} account, you can ignore this email.`,
  },
  alreadyRegistered: {
    subject: (brand: string) => `You already have a ${brand} account`,
    intro: (brand: string) => `Someone, probably you, tried to create a new ${brand} account with this email address. You already have one, so nothing was created.`,
    signInIntro: 'You can sign in here:',
    signInButton: 'Sign in',
    resetIntro: 'Forgot your password? Choose a new one here:',
    resetButton: 'Reset password',
    notYou: "If this wasn't you, you can ignore this email: your account has not changed.",
  },
  resetPassword: {
    subject: (brand: string) => `Reset your ${brand} password`,
    intro: (brand: string) => `We received a request to reset the password of your ${brand} account. Choose a new password here:`,
    button: 'Choose a new password',
    expiry: 'The link works for 1 hour and only once.',
    notYou: "If you didn't ask for this, you can ignore this email: your password stays as it is.",
  },
  accountLocked: {
    subject: (brand: string) => `Your ${brand} account is temporarily locked`,
    intro: (brand: string, until: string) => `There were too many failed sign-in attempts on your ${brand} account, so it is locked until ${until}.`,
    wasYou: 'If that was you, wait until then and try again.',
    notYou: "If it wasn't you, someone may be trying to guess your password. Choose a new one to be safe:",
    button: 'Reset password',
  },
  passwordChanged: {
    subject: (brand: string) => `Your ${brand} password was changed`,
    body: (brand: string) => `The password of your ${brand} account was just changed. If that was you, there is nothing to do.`,
  },
  emailChangeRequested: {
    subject: (brand: string) => `Your ${brand} email address is being changed`,
    body: (brand: string, newEmail: string) =>
      `Someone asked to change the email address of your ${brand} account to ${newEmail}. This address stays in use until the new one is confirmed.`,
  },
  verifyNewEmail: {
    subject: 'Confirm your new email address',
    intro: (brand: string) => `Please confirm that you want to use this email address for your ${brand} account:`,
    button: 'Confirm email address',
    expiry: 'The link works for 24 hours. Until you confirm, your old address stays in use.',
    notYou: "If you didn't ask for this, you can ignore this email: nothing will change.",
  },
  emailChanged: {
    subject: (brand: string) => `Your ${brand} email address was changed`,
    body: (brand: string, newEmail: string) =>
      `The email address of your ${brand} account is now ${newEmail}. This address will no longer get mail about your account.`,
    notYou: "If this wasn't you, tell your administrator right away.",
  },
  mfaEnabled: {
    subject: 'Two-factor authentication is on',
    body: (brand: string) =>
      `Two-factor authentication was turned on for your ${brand} account. Signing in now needs a code from your authenticator app as well as your password. Keep your backup codes somewhere safe.`,
  },
  mfaDisabled: {
    subject: 'Two-factor authentication is off',
    body: (brand: string) => `Two-factor authentication was turned off for your ${brand} account. Signing in now needs only your password.`,
  },
  passkeyAdded: {
    subject: 'A passkey was added to your account',
    body: (brand: string, name: string) => `The passkey “${name}” was added to your ${brand} account. It can now sign in to your account without a password.`,
  },
  passkeyRemoved: {
    subject: 'A passkey was removed from your account',
    body: (brand: string, name: string) => `The passkey “${name}” was removed from your ${brand} account. It can no longer sign in.`,
  },
};
