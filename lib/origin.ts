// Which browser origins may call the API and open /ws: the server's own, plus those configured.

/** True when `origin` is https://<host> of this request or listed in `allowed`. */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false
  if (host && origin === `https://${host}`) return true
  return allowed.includes(origin)
}
