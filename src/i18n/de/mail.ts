import type { mail as en } from '../en/mail.js';

export const mail: typeof en = {
  greeting: (name: string) => `Guten Tag ${name},`,
  greetingWithoutName: 'Guten Tag,',
  signOff: (brand: string) => `Freundliche Grüße\n${brand}`,
  buttonFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
  automated: (brand: string) => `Diese E-Mail wurde automatisch von ${brand} versandt.`,
  notYouReset:
    'Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück („Passwort vergessen?“ auf der Anmeldeseite) und wenden Sie sich an Ihren Administrator.',
  verifyEmail: {
    subject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    intro: (brand: string) => `Willkommen bei ${brand}! Bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse ist:`,
    button: 'E-Mail-Adresse bestätigen',
    expiry: 'Der Link ist 24 Stunden lang gültig.',
    notYou: (brand: string) => `Wenn Sie kein Konto bei ${brand} angelegt haben, können Sie diese E-Mail ignorieren.`,
  },
  alreadyRegistered: {
    subject: (brand: string) => `Sie haben bereits ein Konto bei ${brand}`,
    intro: (brand: string) =>
      `Jemand, wahrscheinlich Sie selbst, hat versucht, mit dieser E-Mail-Adresse ein neues Konto bei ${brand} anzulegen. Sie haben bereits eines, daher wurde nichts angelegt.`,
    signInIntro: 'Hier können Sie sich anmelden:',
    signInButton: 'Anmelden',
    resetIntro: 'Passwort vergessen? Hier können Sie ein neues wählen:',
    resetButton: 'Passwort zurücksetzen',
    notYou: 'Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren: Ihr Konto ist unverändert.',
  },
  resetPassword: {
    subject: (brand: string) => `Passwort für ${brand} zurücksetzen`,
    intro: (brand: string) => `Wir haben eine Anfrage erhalten, das Passwort Ihres Kontos bei ${brand} zurückzusetzen. Hier können Sie ein neues Passwort wählen:`,
    button: 'Neues Passwort wählen',
    expiry: 'Der Link ist 1 Stunde lang gültig und nur einmal verwendbar.',
    notYou: 'Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren: Ihr Passwort bleibt, wie es ist.',
  },
  accountLocked: {
    subject: (brand: string) => `Ihr Konto bei ${brand} ist vorübergehend gesperrt`,
    intro: (brand: string, until: string) =>
      `Für Ihr Konto bei ${brand} gab es zu viele fehlgeschlagene Anmeldeversuche, daher ist es bis ${until} gesperrt.`,
    wasYou: 'Wenn Sie das waren, warten Sie bitte bis dahin und versuchen Sie es dann erneut.',
    notYou: 'Wenn Sie das nicht waren, versucht vielleicht jemand, Ihr Passwort zu erraten. Wählen Sie zur Sicherheit ein neues:',
    button: 'Passwort zurücksetzen',
  },
  passwordChanged: {
    subject: (brand: string) => `Ihr Passwort für ${brand} wurde geändert`,
    body: (brand: string) => `Das Passwort Ihres Kontos bei ${brand} wurde soeben geändert. Wenn Sie das waren, müssen Sie nichts tun.`,
  },
  emailChangeRequested: {
    subject: (brand: string) => `Die E-Mail-Adresse Ihres Kontos bei ${brand} wird geändert`,
    body: (brand: string, newEmail: string) =>
      `Jemand hat beantragt, die E-Mail-Adresse Ihres Kontos bei ${brand} in ${newEmail} zu ändern. Diese Adresse bleibt in Gebrauch, bis die neue bestätigt ist.`,
  },
  verifyNewEmail: {
    subject: 'Bestätigen Sie Ihre neue E-Mail-Adresse',
    intro: (brand: string) => `Bitte bestätigen Sie, dass Sie diese E-Mail-Adresse für Ihr Konto bei ${brand} verwenden möchten:`,
    button: 'E-Mail-Adresse bestätigen',
    expiry: 'Der Link ist 24 Stunden lang gültig. Bis Sie bestätigen, bleibt Ihre bisherige Adresse in Gebrauch.',
    notYou: 'Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren: Es ändert sich nichts.',
  },
  emailChanged: {
    subject: (brand: string) => `Die E-Mail-Adresse Ihres Kontos bei ${brand} wurde geändert`,
    body: (brand: string, newEmail: string) =>
      `Die E-Mail-Adresse Ihres Kontos bei ${brand} lautet jetzt ${newEmail}. An diese Adresse senden wir keine E-Mails zu Ihrem Konto mehr.`,
    notYou: 'Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.',
  },
  mfaEnabled: {
    subject: 'Zwei-Faktor-Authentifizierung ist eingeschaltet',
    body: (brand: string) =>
      `Für Ihr Konto bei ${brand} wurde die Zwei-Faktor-Authentifizierung eingeschaltet. Zur Anmeldung brauchen Sie jetzt außer Ihrem Passwort einen Code aus Ihrer Authenticator-App. Bewahren Sie Ihre Backup-Codes an einem sicheren Ort auf.`,
  },
  mfaDisabled: {
    subject: 'Zwei-Faktor-Authentifizierung ist ausgeschaltet',
    body: (brand: string) => `Für Ihr Konto bei ${brand} wurde die Zwei-Faktor-Authentifizierung ausgeschaltet. Zur Anmeldung genügt jetzt Ihr Passwort.`,
  },
  passkeyAdded: {
    subject: 'Ihrem Konto wurde ein Passkey hinzugefügt',
    body: (brand: string, name: string) => `Der Passkey „${name}“ wurde Ihrem Konto bei ${brand} hinzugefügt. Mit ihm ist jetzt eine Anmeldung ohne Passwort möglich.`,
  },
  passkeyRemoved: {
    subject: 'Ein Passkey wurde aus Ihrem Konto entfernt',
    body: (brand: string, name: string) => `Der Passkey „${name}“ wurde aus Ihrem Konto bei ${brand} entfernt. Mit ihm ist keine Anmeldung mehr möglich.`,
  },
};
