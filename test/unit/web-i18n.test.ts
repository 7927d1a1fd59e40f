// The message catalogue (web/i18n.ts): every language has every key, no empty text and the same
// placeholders as English; t() fills placeholders as plain text; the language is picked from a tag.
import t from 'tap'
import { CATALOGUES } from '../../web/i18n/all.js'
import { en } from '../../web/i18n/en.js'
import { codeText, formatNumber, formatTime, pickLang, setLang, t as text, tn } from '../../web/i18n/index.js'
import { ERROR_CODES } from '../../lib/chat/protocol/protocol.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

t.test('every catalogue has the same keys as English, no empty text and the same placeholders', async (t) => {
  const english = en
  const keys = Object.keys(english).sort()
  t.ok(keys.length > 100, `${keys.length} texts`)
  for (const [lang, catalogue] of Object.entries(CATALOGUES)) {
    t.same(Object.keys(catalogue).sort(), keys, `${lang}: the same keys as en`)
    const entries = Object.entries(catalogue) as [keyof typeof english, string][]
    t.same(entries.filter(([, s]) => s.trim() === '').map(([k]) => k), [], `${lang}: no empty text`)
    t.same(entries.filter(([k, s]) => placeholders(s).join() !== placeholders(english[k]).join()).map(([k]) => k), [],
      `${lang}: every text has the placeholders of its English text`)
  }
})

t.test('every error code of the chat protocol has a text', async (t) => {
  for (const code of ERROR_CODES) t.ok(Object.hasOwn(en, `error.${code}`), code)
  t.equal(codeText('error', 'room_full', 'server text'), en['error.room_full'])
  t.equal(codeText('error', 'some_future_code', 'server text'), 'server text', 'an unknown code shows the server\'s message')
})

t.test('t() fills placeholders with plain text; tn() picks singular or plural', async (t) => {
  t.equal(text('composer.sendWait', { seconds: 3 }), 'Send (3 s)')
  t.equal(text('composer.placeholderRoom', { room: '<b>x</b>' }), 'Message #<b>x</b>', 'a value stays text (rendered as text by Preact)')
  t.equal(text('composer.placeholderRoom', { room: '{max}', max: 5 }), 'Message #{max}', 'a value is not filled in again')
  t.equal(text('composer.placeholderRoom'), 'Message #{room}', 'a missing value leaves the placeholder')
  t.equal(tn('messages.new', 1), '1 new message')
  t.equal(tn('messages.new', 2), '2 new messages')
})

t.test('the language: picked from a tag, English when unknown; dates follow it', async (t) => {
  t.equal(pickLang('de', CATALOGUES), 'de')
  t.equal(pickLang('DE-at', CATALOGUES), 'de')
  t.equal(pickLang('xx', CATALOGUES), 'en')
  t.equal(pickLang(null, CATALOGUES), 'en')
  t.equal(pickLang('constructor', CATALOGUES), 'en', 'only the listed languages count')
  t.equal(setLang('de'), 'en', 'the page bundles English only: German is not chosen without its catalogue')
  t.equal(setLang('de-CH', CATALOGUES), 'de')
  t.teardown(() => setLang('en'))
  t.equal(text('composer.send'), 'Senden')
  t.equal(tn('messages.new', 2), '2 neue Nachrichten')
  t.equal(formatTime(Date.UTC(2024, 4, 3, 21, 7)).length, 5, 'German times are 24-hour "hh:mm"')
})

t.test('counts are written as the language writes numbers (a large room\'s "1,234 people here")', async (t) => {
  t.teardown(() => setLang('en'))
  setLang('en')
  t.equal(formatNumber(1234), '1,234')
  t.equal(tn('members.large', 1234, { count: formatNumber(1234) }), '1,234 people here. Names load a page at a time.')
  setLang('de', CATALOGUES)
  t.equal(formatNumber(1234), '1.234', 'the format follows setLang, not the first language used')
  t.equal(tn('members.shown', 1), '1 Name angezeigt')
})
