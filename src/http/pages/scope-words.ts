// Scopes in words, for the consent page.
const WORDS: Record<string, string> = {
  openid: 'Know who you are (your account identifier)',
  profile: 'See your name',
  email: 'See your email address and whether it is verified',
  offline_access: 'Keep access while you are away',
};

export const scopeInWords = (scope: string): string => WORDS[scope] ?? `Use the permission “${scope}”`;
