// Small helpers for talking OAuth over HTTP with fetch.
export interface RegisteredClient {
  client_id: string;
  client_secret: string;
  [key: string]: unknown;
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export async function clientCredentialsToken(base: string, client: RegisteredClient, scope?: string): Promise<string> {
  const response = await postForm(`${base}/token`, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(client.client_id, client.client_secret) });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function introspect(base: string, client: RegisteredClient, token: string, extra: Record<string, string> = {}) {
  const response = await postForm(`${base}/introspect`, { token, ...extra }, { authorization: basic(client.client_id, client.client_secret) });
  if (response.status !== 200) throw new Error(`introspection failed: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

export async function revoke(base: string, client: RegisteredClient, token: string) {
  const response = await postForm(`${base}/revoke`, { token }, { authorization: basic(client.client_id, client.client_secret) });
  return response.status;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns how long it took. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}
