import type { common as en } from '../en/common.js';

export const common: typeof en = {
  documentTitle: (title, brand) => `${title} · ${brand}`,
  skipToContent: 'Zum Inhalt springen',
  homeLink: (brand) => `${brand}-Startseite`,
  logoAlt: (brand) => `Logo von ${brand}`,
  footer: (brand) => `${brand}-Konto`,
  languageName: 'Deutsch',
  continue: 'Weiter',
  cancel: 'Abbrechen',
  back: 'Zurück',
  errorTitle: 'Etwas ist schiefgegangen',
  notFoundTitle: 'Seite nicht gefunden',
  notFound: 'Unter dieser Adresse gibt es keine Seite.',
  goToAccount: 'Zu Ihrem Konto',
  formExpired: 'Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
};
