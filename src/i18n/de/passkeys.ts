import type { passkeys as en } from '../en/passkeys.js';

export const passkeys: typeof en = {
  signIn: 'Mit einem Passkey anmelden',
  orPassword: 'Oder verwenden Sie einen Passkey: Fingerabdruck, Gesicht oder Bildschirmsperre, ganz ohne Passwort.',
  instead: 'Stattdessen einen Passkey verwenden',
  insteadIntro: 'Oder bestätigen Sie mit einem Ihrer Passkeys.',
  page: {
    intro: 'Mit einem Passkey melden Sie sich per Fingerabdruck, Gesicht, Bildschirmsperre oder Sicherheitsschlüssel statt mit einem Passwort an. Er funktioniert nur auf dieser Website, deshalb kann eine gefälschte Seite ihn Ihnen nicht entlocken.',
    none: 'Sie haben noch keine Passkeys.',
    listLabel: 'Ihre Passkeys',
    added: 'Hinzugefügt',
    lastUsed: 'Zuletzt verwendet',
    never: 'Noch nicht verwendet',
    synced: 'Zwischen Ihren Geräten synchronisiert',
    deviceBound: 'Auf einem Gerät oder Sicherheitsschlüssel',
    renameLabel: (name: string) => `Neuer Name für „${name}“`,
    rename: 'Umbenennen',
    remove: 'Entfernen',
    removeLabel: (name: string) => `Den Passkey „${name}“ entfernen`,
    addHeading: 'Passkey hinzufügen',
    addIntro: 'Ihr Browser bittet Sie, mit Fingerabdruck, Gesicht, Bildschirmsperre oder einem Sicherheitsschlüssel zu bestätigen.',
    name: 'Bezeichnung (optional)',
    nameHint: 'Zum Beispiel das Gerät, auf dem er liegt, damit Sie Ihre Passkeys unterscheiden können.',
    add: 'Passkey hinzufügen',
  },
};
