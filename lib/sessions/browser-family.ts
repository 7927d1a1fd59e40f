// Names the browser family of a User-Agent for the sessions list; a hint for people, not a security check.

export type BrowserFamily = 'Edge' | 'Opera' | 'Firefox' | 'Chrome' | 'Safari' | 'other'

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const RULES: [RegExp, BrowserFamily][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera|OPiOS)\//, 'Opera'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|Chromium|CriOS|HeadlessChrome)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari']
]

export function browserFamily(userAgent: string | undefined): BrowserFamily {
  if (!userAgent) return 'other'
  const ua = userAgent.slice(0, 512)
  for (const [pattern, family] of RULES) if (pattern.test(ua)) return family
  return 'other'
}
