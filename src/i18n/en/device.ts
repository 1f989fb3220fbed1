// The verification pages of the device flow (RFC 8628 §3.3; src/http/pages/device.ts): entering
// the code a device shows, allowing or denying it, and the pages that send the person back to it.
export const device = {
  enter: {
    title: 'Connect a device',
    intro: 'Enter the code shown on your device.',
    /** verification_uri_complete brought the code along (RFC 8628 §3.3.1): the person checks it. */
    confirm: 'Is this the code shown on your device? Continue only if it is.',
    label: 'Code from your device',
    hint: 'Eight letters, such as BCDF-GHJK. Capitals and the dash are optional.',
    submit: 'Continue',
  },
  approve: {
    title: (app: string) => `Allow ${app} on your device?`,
    signedInAs: (email: string) => `Signed in as ${email}`,
    intro: (app: string) => `${app} on your device will be able to:`,
    /** RFC 8628 §5.4: someone else's code, sent to the person, would sign their device in. */
    warning: 'Allow this only if you started the sign-in yourself, on a device in front of you. Someone who sends you a code is trying to get into your account.',
    allow: 'Allow',
    deny: 'Deny',
  },
  done: {
    title: 'You can return to your device',
    text: 'Your device is signed in. You can close this window.',
  },
  denied: {
    title: 'Request denied',
    text: 'Your device was not signed in, and nothing was shared with it. You can close this window.',
  },
};
