// Scope strings (RFC 6749 §3.3): space-delimited tokens of printable ASCII except `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Splits a scope string into unique tokens; undefined when the syntax is wrong. */
export function parseScope(text: string): string[] | undefined {
  const tokens = text.split(' ').filter((token) => token !== '');
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return undefined;
  return [...new Set(tokens)];
}
