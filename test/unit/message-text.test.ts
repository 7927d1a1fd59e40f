import t from 'tap'
import { MAX_CODE_POINTS_PER_CHAR, MAX_MARKS_PER_CHAR, countGraphemes, prepareText, trimText } from '../../lib/chat/rooms/message-text.js'

t.test('graphemes: emoji, flags, ZWJ sequences and combining marks count as one', async (t) => {
  t.equal(countGraphemes('hello'), 5)
  t.equal(countGraphemes('👍'), 1)
  t.equal(countGraphemes('🇫🇷'), 1)
  t.equal(countGraphemes('👨‍👩‍👧'), 1)
  t.equal(countGraphemes('e\u0301'), 1)
  t.equal(countGraphemes('👍🏽'), 1)
  t.equal(countGraphemes('x'.repeat(100), 50), 51, 'stops counting past the limit')
})

t.test('prepareText trims, normalises and refuses (never truncates)', async (t) => {
  t.same(prepareText('  hi  ', 50), { ok: true, text: 'hi' })
  t.same(prepareText('Cafe\u0301', 50), { ok: true, text: 'Café' })
  t.same(prepareText('   ', 50), { ok: false, code: 'empty' })
  t.same(prepareText('', 50), { ok: false, code: 'empty' })
  t.same(prepareText('a'.repeat(50), 50), { ok: true, text: 'a'.repeat(50) })
  t.same(prepareText('a'.repeat(51), 50), { ok: false, code: 'too_long' })
  t.same(prepareText('👍'.repeat(50), 50), { ok: true, text: '👍'.repeat(50) })
  t.same(prepareText('👍'.repeat(51), 50), { ok: false, code: 'too_long' })
  t.same(prepareText(' ' + 'a'.repeat(50) + ' ', 50), { ok: true, text: 'a'.repeat(50) }, 'spaces around do not count')
})

/** Code points in hex: test names stay plain ASCII (a raw U+2028 would break the TAP stream). */
const show = (s: string) => [...s].map((c) => c.codePointAt(0)!.toString(16)).join(' ')

t.test('invisible-only text is empty: zero-width space, word joiner, Hangul filler, blank Braille, soft hyphen', async (t) => {
  for (const invisible of ['\u200b', '\u2060', '\u3164', '\u2800', '\u00ad', '\ufeff', '\u200c\u200d', '\u115f\u1160', '\uffa0', '\u034f']) {
    t.same(prepareText(invisible, 50), { ok: false, code: 'empty' }, show(invisible))
    t.same(prepareText(` ${invisible.repeat(3)} \u3000`, 50), { ok: false, code: 'empty' }, 'mixed with spaces')
  }
  t.same(prepareText('a\u200bb', 50), { ok: true, text: 'a\u200bb' }, 'visible text around them is kept as is')
})

t.test('line and paragraph separators and lone surrogates are invalid, anywhere', async (t) => {
  for (const bad of ['a\u2028b', 'a\u2029b', '\u2028', 'hi\u2028', 'x\ud800y', 'x\udc00', '\ud83d', 'ok \udfff'])
    t.same(prepareText(bad, 50), { ok: false, code: 'invalid' }, show(bad))
  t.same(prepareText('\ud83d\ude00', 50), { ok: true, text: '\ud83d\ude00' }, 'a surrogate pair is fine')
})

t.test('whitespace around the text (tabs, newlines) is trimmed before the text is judged', async (t) => {
  t.same(prepareText(' \t\n ', 50), { ok: false, code: 'empty' })
  t.same(prepareText('hi\n', 50), { ok: true, text: 'hi' })
  t.same(prepareText('\r\n\thi there\t\r\n', 50), { ok: true, text: 'hi there' })
  t.same(prepareText('\u00a0\u3000hi\u2003', 50), { ok: true, text: 'hi' }, 'Unicode spaces too')
  t.equal(trimText(' '.repeat(2000) + 'x' + ' '.repeat(2000)), 'x')
})

t.test('control and bidi characters inside the text stay invalid', async (t) => {
  for (const bad of ['hi\nthere', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u009fb', '\u202eevil', 'a\u2066b\u2069', 'a\rb'])
    t.same(prepareText(bad, 50), { ok: false, code: 'invalid' }, show(bad))
})

t.test('mark stacks: up to MAX_MARKS_PER_CHAR combining marks on a character, more is invalid', async (t) => {
  t.equal(MAX_MARKS_PER_CHAR, 8)
  t.same(prepareText('a' + '\u0301'.repeat(8), 50).ok, true)
  t.same(prepareText('a' + '\u0301'.repeat(9), 50), { ok: false, code: 'invalid' })
  t.same(prepareText('Ti\u1ebfng Vi\u1ec7t, \u0928\u092e\u0938\u094d\u0924\u0947, \u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd', 50).ok, true, 'real scripts pass')
  t.same(prepareText('1\ufe0f\u20e3 \ud83d\udc69\ud83c\udffb\u200d\u2764\ufe0f\u200d\ud83d\udc8b\u200d\ud83d\udc68\ud83c\udffc', 50).ok, true, 'keycaps and long emoji sequences pass')
})

t.test('code-point cap: MAX_CODE_POINTS_PER_CHAR x maxChars', async (t) => {
  t.equal(MAX_CODE_POINTS_PER_CHAR, 10)
  const kiss = '\ud83d\udc69\ud83c\udffb\u200d\u2764\ufe0f\u200d\ud83d\udc8b\u200d\ud83d\udc68\ud83c\udffc' // 10 code points, 1 character
  t.same(prepareText(kiss.repeat(5), 5), { ok: true, text: kiss.repeat(5) }, '5 of the longest emoji fit 5 characters')
  t.same(prepareText(kiss.repeat(5) + 'x', 5), { ok: false, code: 'too_long' })
  t.same(prepareText('a'.repeat(4000), 50), { ok: false, code: 'too_long' })
})

t.test('countGraphemes: the Latin fast path agrees with the segmenter', async (t) => {
  t.equal(countGraphemes('abc\u00e9'), 4)
  t.equal(countGraphemes('a\r\nb'), 3, 'CR LF is one cluster')
  t.equal(countGraphemes('x'.repeat(10), 3), 4)
})
