import t from 'tap'
import { countGraphemes, prepareText } from '../lib/message-text.js'

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
