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
