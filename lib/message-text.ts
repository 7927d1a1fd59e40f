// Message text rules: trim, NFC, and a length counted in user-perceived characters.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Counts grapheme clusters (an emoji, a flag or a letter with accents is one), stopping past `limit`. */
export function countGraphemes(text: string, limit = Infinity): number {
  let n = 0
  for (const _ of segmenter.segment(text)) {
    if (++n > limit) break
  }
  return n
}

export type PreparedText = { ok: true; text: string } | { ok: false; code: 'empty' | 'too_long' }

/** Trims and normalises a message; refuses (never truncates) an empty or over-long one. */
export function prepareText(raw: string, maxChars: number): PreparedText {
  const text = raw.trim().normalize('NFC')
  if (text.length === 0) return { ok: false, code: 'empty' }
  // A string of at most maxChars UTF-16 units cannot hold more graphemes: skip the segmenter.
  if (text.length > maxChars && countGraphemes(text, maxChars) > maxChars) return { ok: false, code: 'too_long' }
  return { ok: true, text }
}
