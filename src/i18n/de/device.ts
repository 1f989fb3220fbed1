import type { device as en } from '../en/device.js';

export const device: typeof en = {
  enter: {
    title: 'Gerät verbinden',
    intro: 'Geben Sie den Code ein, den Ihr Gerät anzeigt.',
    confirm: 'Ist das der Code, den Ihr Gerät anzeigt? Fahren Sie nur fort, wenn er es ist.',
    label: 'Code von Ihrem Gerät',
    hint: 'Acht Buchstaben, zum Beispiel BCDF-GHJK. Groß- oder Kleinschreibung und der Bindestrich spielen keine Rolle.',
    submit: 'Weiter',
  },
  approve: {
    title: (app) => `${app} auf Ihrem Gerät zulassen?`,
    signedInAs: (email) => `Angemeldet als ${email}`,
    intro: (app) => `${app} auf Ihrem Gerät erhält die Erlaubnis:`,
    warning: 'Lassen Sie dies nur zu, wenn Sie die Anmeldung selbst auf einem Gerät vor Ihnen begonnen haben. Wer Ihnen einen Code schickt, versucht, in Ihr Konto zu gelangen.',
    allow: 'Zulassen',
    deny: 'Ablehnen',
  },
  done: {
    title: 'Sie können zu Ihrem Gerät zurückkehren',
    text: 'Ihr Gerät ist angemeldet. Sie können dieses Fenster schließen.',
  },
  denied: {
    title: 'Anfrage abgelehnt',
    text: 'Ihr Gerät wurde nicht angemeldet, und es wurde nichts mit ihm geteilt. Sie können dieses Fenster schließen.',
  },
};
