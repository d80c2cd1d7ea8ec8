/** The proxy HTTPS_PROXY and NO_PROXY select, safe to print, and its credentials as a header. */
import { getProxyForUrl } from 'proxy-from-env';

export interface ProxyChoice {
  url: URL;
  /** The proxy URL with any credentials removed, safe to print and to store. */
  display: string;
}

/** The proxy HTTPS_PROXY / NO_PROXY select for `https://<host>/`, as Docker and most clients read them. */
export function selectProxy(host: string): ProxyChoice | undefined {
  const chosen = getProxyForUrl(`https://${host}/`);
  if (!chosen) return undefined;
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`);
  return { url, display: redactUrl(url) };
}

export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username || copy.password) {
    copy.username = 'REDACTED';
    copy.password = '';
  }
  return copy.href.replace(/\/$/, '');
}

export function proxyAuthorization(url: URL): string | undefined {
  if (!url.username) return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
