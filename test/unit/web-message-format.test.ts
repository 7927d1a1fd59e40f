// How the page shows message text: only http(s) links become links, mentions, emoji-only, initials.
import t from 'tap'
import { initials, isEmojiOnly, mentions, safeHref, segmentText, userColour, USER_COLOURS } from '../../web/message-format.js'

t.test('only http(s) URLs become links; punctuation after them stays text', async (t) => {
  t.same(segmentText('see https://example.com/a?b=1, ok'), [
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { kind: 'text', text: ', ok' }
  ])
  for (const bad of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.org', 'vbscript:x', '<a href=x>y</a>']) {
    t.ok(segmentText(bad).every((s) => s.kind === 'text'), `${bad} stays text`)
  }
  t.equal(safeHref('javascript:alert(1)'), null)
  t.equal(safeHref('http://[bad'), null)
  // Phishing by user info: the text names one host, the link would open another.
  for (const tricky of ['https://bank.example@evil.example/', 'https://bank.example:pw@evil.example']) {
    t.ok(segmentText(`log in at ${tricky}`).every((s) => s.kind === 'text'), `${tricky} stays text`)
  }
  t.same(segmentText('(http://a.b/c)').map((s) => s.kind), ['text', 'link', 'text'])
})

t.test('mentions of the reader by name, as a whole word, case-insensitive', async (t) => {
  t.ok(mentions('hi @Alice!', 'alice'))
  t.ok(mentions('alice: lunch?', 'alice'))
  t.notOk(mentions('malice aforethought', 'alice'))
  t.notOk(mentions('alice2 is here', 'alice'))
  t.notOk(mentions('hi', null))
  t.same(segmentText('hey @alice look', 'alice').map((s) => s.kind), ['text', 'mention', 'text'])
  t.same(segmentText('a.b.alice', 'alice').map((s) => s.kind), ['text'], 'inside a longer name: no')
})

t.test('emoji-only messages (up to 5) are told apart', async (t) => {
  t.ok(isEmojiOnly('👍'))
  t.ok(isEmojiOnly('🇫🇷 👍🏽 ❤️'))
  t.ok(isEmojiOnly('👨‍👩‍👧'))
  t.notOk(isEmojiOnly('ok 👍'))
  t.notOk(isEmojiOnly('123'))
  t.notOk(isEmojiOnly('👍👍👍👍👍👍'))
})

t.test('initials and a stable colour per user', async (t) => {
  t.equal(initials('alice'), 'AL')
  t.equal(initials('bob.smith'), 'BS')
  t.equal(initials('x'), 'X')
  t.equal(userColour('Alice'), userColour('alice'))
  const c = userColour('someone')
  t.ok(c >= 0 && c < USER_COLOURS)
  // The names a first try uses tell each other apart at a glance.
  t.equal(new Set(['alice', 'bob', 'carol'].map((n) => userColour(n))).size, 3, 'alice, bob and carol: three colours')
  // Spread evenly over the palette: no colour gets more than 1.3x its share of 12 000 names.
  const counts = new Array<number>(USER_COLOURS).fill(0)
  for (let i = 0; i < 12_000; i++) counts[userColour(`user${i}`)]!++
  t.ok(Math.max(...counts) < 1.3 * (12_000 / USER_COLOURS), `even spread: ${counts.join(' ')}`)
})
