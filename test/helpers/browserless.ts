// A minimal browser for the hosted pages without a real browser: a cookie jar, manual redirects,
// and form posts built from the page's own hidden fields. The browser tests use Chromium; these
// helpers serve the protocol tests that need many sign-ins quickly.
export class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

export async function get(jar: CookieJar, url: string): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(response);
  return response;
}

export async function postForm(jar: CookieJar, url: string, form: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  jar.store(response);
  return response;
}

/** The hidden inputs of the first form on a page. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]!] = match[2]!.replace(/&#38;/g, '&');
  return fields;
}

/** Follows an authorize URL through the sign-in page (and TOTP page) to the client's redirect. */
export async function signInThroughPages(
  jar: CookieJar,
  base: string,
  authorizeUrl: string,
  credentials: { email: string; password: string },
  code?: () => Promise<string>,
): Promise<URL> {
  let response = await get(jar, authorizeUrl);
  let location = new URL(response.headers.get('location')!, base);
  if (location.pathname === '/login') {
    const page = await get(jar, location.toString());
    response = await postForm(jar, `${base}/login`, { ...hiddenFields(await page.text()), email: credentials.email, password: credentials.password });
    if (response.status !== 303) throw new Error(`sign-in page answered ${response.status}: ${await response.text()}`);
    location = new URL(response.headers.get('location')!, base);
  }
  if (location.pathname === '/login/totp') {
    const page = await get(jar, location.toString());
    response = await postForm(jar, `${base}/login/totp`, { ...hiddenFields(await page.text()), code: await code!() });
    if (response.status !== 303) throw new Error(`code page answered ${response.status}: ${await response.text()}`);
    location = new URL(response.headers.get('location')!, base);
  }
  return location;
}
