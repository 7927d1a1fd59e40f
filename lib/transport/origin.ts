// Which browser origins may call the API and open /ws: the server's own, plus those configured.

export interface OriginPolicy {
  /** Extra origins (ALLOWED_ORIGINS), each a bare https origin. */
  allowedOrigins: readonly string[]
  /** The server's own origin (PUBLIC_ORIGIN); when unset it is https://<Host header>. */
  publicOrigin?: string | undefined
}

/** The server's own origin: PUBLIC_ORIGIN when set, otherwise derived from the request's Host. */
export function ownOrigin(host: string | undefined, publicOrigin?: string): string | undefined {
  if (publicOrigin) return publicOrigin
  return host ? `https://${host}` : undefined
}

/** True when `origin` is exactly the server's own origin or one listed in `allowedOrigins`. */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, policy: OriginPolicy): boolean {
  if (!origin) return false
  if (origin === ownOrigin(host, policy.publicOrigin)) return true
  return policy.allowedOrigins.includes(origin)
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
  policy: OriginPolicy
): boolean {
  if (SAFE_METHODS.has(method)) return false
  if (headers.origin !== undefined) return !isAllowedOrigin(headers.origin, host, policy)
  const site = headers['sec-fetch-site']
  return site !== undefined && site !== 'same-origin' && site !== 'none'
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
