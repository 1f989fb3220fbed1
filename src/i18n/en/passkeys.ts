// Passkeys (docs/passkeys.md): the buttons of the hosted sign-in and the /account/passkeys page
// (src/http/pages/sign-in.ts, src/http/pages/account/passkeys.ts).
export const passkeys = {
  signIn: 'Sign in with a passkey',
  orPassword: 'Or use a passkey: your fingerprint, face or screen lock, no password needed.',
  instead: 'Use a passkey instead',
  insteadIntro: 'Or confirm with one of your passkeys.',
  page: {
    intro: 'A passkey signs you in with your fingerprint, face, screen lock or security key instead of a password. It works only on this site, so a fake site cannot trick you into giving it away.',
    none: 'You have no passkeys yet.',
    listLabel: 'Your passkeys',
    added: 'Added',
    lastUsed: 'Last used',
    never: 'Not used yet',
    synced: 'Synced between your devices',
    deviceBound: 'On one device or security key',
    renameLabel: (name: string) => `New name for “${name}”`,
    rename: 'Rename',
    remove: 'Remove',
    removeLabel: (name: string) => `Remove the passkey “${name}”`,
    addHeading: 'Add a passkey',
    addIntro: 'Your browser asks you to confirm with your fingerprint, face, screen lock or a security key.',
    name: 'Name (optional)',
    nameHint: 'For example the device it is on, so you can tell your passkeys apart.',
    add: 'Add a passkey',
  },
};
