// Anmelden über andere Identitätsanbieter (src/http/pages/upstream.ts, docs/upstreams.md).
import type { upstream as en } from '../en/upstream.js';

export const upstream: typeof en = {
  or: 'Oder',
  continueWith: (provider: string) => `Weiter mit ${provider}`,
  failedTitle: 'Anmeldung über einen anderen Anbieter fehlgeschlagen',
  backToConnections: 'Zurück zu den Verknüpfungen',
  confirm: {
    title: (provider: string) => `${provider}-Konto verknüpfen`,
    intro: (provider: string, email: string) =>
      `Hier gibt es bereits ein Konto mit der E-Mail-Adresse ${email}. Um sich künftig mit ${provider} daran anzumelden, geben Sie einmal dessen Passwort ein.`,
    code: 'Code aus Ihrer Authenticator-App oder ein Backup-Code',
    submit: 'Verknüpfen und fortfahren',
    cancel: 'Abbrechen und auf andere Weise anmelden',
  },
};
