// How a message's text is shown: links found (http/https only), mentions of the reader found, and
// emoji-only lines told apart. Produces plain segments; components render them as text or <a>.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string } | { kind: 'mention'; text: string }

// A URL runs to the next space; trailing punctuation that usually ends a sentence is left out.
const URL_RE = /\bhttps?:\/\/[^\s<>"']+/giu
const TRAILING = /[.,;:!?)\]}'"]+$/u

/**
 * Only http(s) URLs that parse become links; anything else stays text. So does a URL with a user
 * name or password: `https://bank.example@evil.example` reads as the bank but opens evil.example.
 */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    if (url.username !== '' || url.password !== '') return null
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** True when `text` names `me` as a word (optionally after @), case-insensitively. */
export function mentions(text: string, me: string | null): boolean {
  if (!me) return false
  return new RegExp(`(^|[^\\p{L}\\p{N}_.-])@?${escapeRe(me)}(?![\\p{L}\\p{N}_])`, 'iu').test(text)
}

function splitMentions(text: string, me: string | null): Segment[] {
  if (!me) return [{ kind: 'text', text }]
  const re = new RegExp(`@?${escapeRe(me)}(?![\\p{L}\\p{N}_])`, 'giu')
  const out: Segment[] = []
  let at = 0
  for (const m of text.matchAll(re)) {
    const before = m.index === 0 ? '' : text[m.index - 1]!
    if (/[\p{L}\p{N}_.-]/u.test(before)) continue
    if (m.index > at) out.push({ kind: 'text', text: text.slice(at, m.index) })
    out.push({ kind: 'mention', text: m[0] })
    at = m.index + m[0].length
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) })
  return out
}

/** Splits a text into plain runs, links and mentions of `me`. */
export function segmentText(text: string, me: string | null = null): Segment[] {
  const out: Segment[] = []
  let at = 0
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0].replace(TRAILING, '')
    const href = safeHref(raw)
    if (!href) continue
    if (m.index > at) out.push(...splitMentions(text.slice(at, m.index), me))
    out.push({ kind: 'link', text: raw, href })
    at = m.index + raw.length
  }
  if (at < text.length) out.push(...splitMentions(text.slice(at), me))
  return out
}

const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Regional_Indicator}|\u200d|\ufe0f|\s)+$/u

/** A short message of emoji only (at most `max` of them) is shown larger. */
export function isEmojiOnly(text: string, max = 5): boolean {
  if (!EMOJI_ONLY.test(text) || !/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(text)) return false
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  let n = 0
  for (const { segment } of segmenter.segment(text)) if (segment.trim() !== '' && ++n > max) return false
  return true
}

/** Up to two initials of a name: "alice" -> "AL", "bob.smith" -> "BS". */
export function initials(name: string): string {
  const parts = name.split(/[._-]+/).filter(Boolean)
  const letters = parts.length > 1 ? parts[0]![0]! + parts[1]![0]! : name.slice(0, 2)
  return letters.toUpperCase()
}

/** Avatar colours (classes avatar--c0 .. in styles.css). */
export const USER_COLOURS = 12

/**
 * A stable colour index per user name (case-insensitive, like the names themselves): FNV-1a with a
 * final mix, so short names that differ by a letter or two land far apart (the old `h * 31` gave
 * "alice" and "bob" the same colour).
 */
export function userColour(name: string): number {
  let h = 0x811c9dc5
  for (const ch of name.toLowerCase()) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return ((h ^ (h >>> 16)) >>> 0) % USER_COLOURS
}
