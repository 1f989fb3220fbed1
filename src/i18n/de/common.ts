import type { common as en } from '../en/common.js';

export const common: typeof en = {
  documentTitle: (title, brand) => `${title} · ${brand}`,
  skipToContent: 'Zum Inhalt springen',
  cancel: 'Abbrechen',
  errorTitle: 'Etwas ist schiefgegangen',
  notFoundTitle: 'Seite nicht gefunden',
  goToAccount: 'Zu Ihrem Konto',
  formExpired: 'Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
};
