declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTP(S)_PROXY / NO_PROXY (and npm_config_* variants), or '' for none. */
  export function getProxyForUrl(url: string | URL): string;
}
