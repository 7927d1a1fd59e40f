// Message text rules: trim, refuse what may not appear, cap the work, NFC, and a length counted
// in user-perceived characters. Cheap checks run first; normalising and segmenting run last,
// on a text whose size and mark stacks are already bounded. Plain code: the page imports it too.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Most code points one user-perceived character may take (the longest emoji sequences take 10). */
export const MAX_CODE_POINTS_PER_CHAR = 10
/** Most combining marks in a row (on one character); real scripts need a few, "Zalgo" text hundreds. */
export const MAX_MARKS_PER_CHAR = 8

/** Counts grapheme clusters (an emoji, a flag or a letter with accents is one), stopping past `limit`. */
export function countGraphemes(text: string, limit = Infinity): number {
  // Below U+0300 every code point is a cluster of its own (CR LF aside): no segmenter needed.
  if (LATIN_ONLY.test(text)) return text.includes('\r\n') ? countSlow(text, limit) : Math.min(text.length, limit + 1)
  return countSlow(text, limit)
}

const LATIN_ONLY = /^[\0-\u02ff]*$/

function countSlow(text: string, limit: number): number {
  let n = 0
  for (const _ of segmenter.segment(text)) {
    if (++n > limit) break
  }
  return n
}

export type PreparedText = { ok: true; text: string } | { ok: false; code: 'empty' | 'too_long' | 'invalid' }

// Trimmed at both ends: Unicode White_Space, tabs and newlines included, except the line and
// paragraph separators (refused anywhere) and U+0085 (a C1 control, refused).
const isTrimmed = (c: number) =>
  c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff

/** Trims with index loops: a regex like /\s+$/ backtracks quadratically on long inner runs. */
export function trimText(raw: string): string {
  let start = 0
  let end = raw.length
  while (start < end && isTrimmed(raw.charCodeAt(start))) start++
  while (end > start && isTrimmed(raw.charCodeAt(end - 1))) end--
  return raw.slice(start, end)
}

// Refused anywhere in a (trimmed) text: C0/C1 controls (tabs and newlines inside included: chat
// lines are single-line), bidi overrides and isolates (they could reorder what others see),
// line and paragraph separators, and lone surrogates (not text at all).
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\p{Cs}]/u
// Renders as nothing: a text of only these (zero-width spaces, word joiners, soft hyphens,
// Hangul fillers, the blank Braille pattern...) is empty.
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u
const MARK = /\p{M}/u

/** Code points in `text`, stopping past `limit` (a surrogate pair is one). */
function countCodePoints(text: string, limit: number): number {
  let n = 0
  for (let i = 0; i < text.length && n <= limit; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

// Which BMP code points are combining marks, built on first use (a regex per character is slow).
let bmpMarks: Uint8Array | undefined
function isMark(cp: number): boolean {
  if (cp < 0x300) return false
  if (cp > 0xffff) return MARK.test(String.fromCodePoint(cp))
  if (!bmpMarks) {
    bmpMarks = new Uint8Array(0x10000)
    for (let c = 0x300; c <= 0xffff; c++) if (MARK.test(String.fromCharCode(c))) bmpMarks[c] = 1
  }
  return bmpMarks[cp] === 1
}

/** True when some run of combining marks is longer than `max`. One pass over the code points. */
function hasMarkStackOver(text: string, max: number): boolean {
  let run = 0
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!
    if (cp > 0xffff) i++
    if (!isMark(cp)) run = 0
    else if (++run > max) return true
  }
  return false
}

/**
 * Judges and prepares a message: trimmed, then refused as `invalid` (forbidden characters, mark
 * stacks over MAX_MARKS_PER_CHAR), `too_long` (over MAX_CODE_POINTS_PER_CHAR * maxChars code
 * points, or over maxChars graphemes after NFC) or `empty` (nothing visible). Never truncates.
 */
export function prepareText(raw: string, maxChars: number): PreparedText {
  const trimmed = trimText(raw)
  if (trimmed.length === 0) return { ok: false, code: 'empty' }
  // Bound the costly work below: NFC reorders runs of marks (quadratic in a run's length) and
  // the segmenter walks every code point.
  const maxCodePoints = maxChars * MAX_CODE_POINTS_PER_CHAR
  if (trimmed.length > maxCodePoints && countCodePoints(trimmed, maxCodePoints) > maxCodePoints) return { ok: false, code: 'too_long' }
  if (FORBIDDEN.test(trimmed)) return { ok: false, code: 'invalid' }
  if (hasMarkStackOver(trimmed, MAX_MARKS_PER_CHAR)) return { ok: false, code: 'invalid' }
  if (INVISIBLE_ONLY.test(trimmed)) return { ok: false, code: 'empty' }
  const text = trimmed.normalize('NFC')
  // A string of at most maxChars UTF-16 units cannot hold more graphemes: skip the segmenter.
  if (text.length > maxChars && countGraphemes(text, maxChars) > maxChars) return { ok: false, code: 'too_long' }
  return { ok: true, text }
}
