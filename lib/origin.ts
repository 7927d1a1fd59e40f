// Which browser origins may call the API and open /ws: the server's own, plus those configured.

/** True when `origin` is https://<host> of this request or listed in `allowed`. */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false
  if (host && origin === `https://${host}`) return true
  return allowed.includes(origin)
}

/**
 * Whether a state-changing request (anything but GET, HEAD, OPTIONS) must be refused as coming
 * from another site. With an `Origin`, it must be an allowed one. Without one (older browsers,
 * non-browser clients), a browser's `Sec-Fetch-Site` must not say the request came from another
 * site: `cross-site` and also `same-site`, since a sibling subdomain is another origin and
 * SameSite cookies do not stop it.
 */
export function isCrossSiteWrite(
  method: string,
  headers: { origin?: string | undefined; 'sec-fetch-site'?: string | string[] | undefined },
  host: string | undefined,
  allowed: readonly string[]
): boolean {
  if (SAFE_METHODS.has(method)) return false
  if (headers.origin !== undefined) return !isAllowedOrigin(headers.origin, host, allowed)
  const site = headers['sec-fetch-site']
  return site !== undefined && site !== 'same-origin' && site !== 'none'
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
