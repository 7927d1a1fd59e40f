// Look-alike and invisible usernames through the app (fastify.inject): look-alikes of a stored name are
// 409 username_taken; mixed-script, invisible, combining-only and reserved names are 400.
import t from 'tap'
import { buildTestApp, PASSWORD, request, type TestApp } from '../helpers/app.js'

async function register(server: TestApp, username: string) {
  const res = await request(server, 'POST', '/api/register', { body: { username, password: PASSWORD } })
  return { status: res.status, code: res.body?.code as string | undefined, body: res.body }
}

t.test('look-alikes of an existing name -> 409 username_taken', async (t) => {
  const server = await buildTestApp(t)
  t.equal((await register(server, 'alice')).status, 201)
  const lookalikes: [string, string][] = [
    ['\u0430lice', 'Cyrillic а + Latin (also mixed-script: "taken" is the truer answer)'],
    ['\uff41\uff4c\uff49\uff43\uff45', 'fullwidth ａｌｉｃｅ (NFKC)'],
    ['al\u0130ce', 'alİce: İ folds to i + dot above'],
    ['AL\u0130CE', 'ALİCE'],
    ['aIice', 'capital I for l'],
    ['ALICE', 'case'],
    ['\u0430\u04c0\u0456\u0441\u0435', 'аӀісе: all Cyrillic, a whole-script look-alike'],
    ['al\u0131ce', 'dotless ı'],
    ['a\u217cice', 'ⅼ small roman numeral fifty (NFKC)']
  ]
  for (const [name, why] of lookalikes) {
    const res = await register(server, name)
    t.same([res.status, res.code], [409, 'username_taken'], why)
  }
  t.equal((await register(server, 'alicia')).status, 201, 'a merely similar name is fine')
})

t.test('rn looks like m: the second of "modern" / "rnodern" is taken', async (t) => {
  const server = await buildTestApp(t)
  t.equal((await register(server, 'modern')).status, 201)
  t.same((await register(server, 'rnodern')).code, 'username_taken')
})

t.test('mixed-script, invisible, combining-only and reserved names -> 400 invalid_username', async (t) => {
  const server = await buildTestApp(t)
  const cases: [string, RegExp, string][] = [
    ['\u0430lice', /one script/, 'Cyrillic а + Latin, no alice registered'],
    ['pay\u0440al', /one script/, 'Cyrillic р inside Latin'],
    ['\u03b1lpha', /one script/, 'Greek α + Latin'],
    ['\u3164\u3164\u3164', /invisible/, 'Hangul filler U+3164 x3'],
    ['abc\u115f', /invisible/, 'Hangul choseong filler U+115F'],
    ['abc\uffa0', /invisible/, 'halfwidth Hangul filler U+FFA0'],
    ['ab\u034fc', /invisible/, 'combining grapheme joiner'],
    ['abc\ufe0f', /invisible/, 'variation selector'],
    ['ab\u200dc', /invisible/, 'zero-width joiner'],
    ['\u2800\u2800\u2800', /letters/, 'braille blank'],
    ['\u0301\u0302\u0303', /accent/, 'combining marks only'],
    ['\u0301abc', /accent/, 'a leading combining mark'],
    ['a' + '\u0301\u0302\u0303\u0304\u0305\u0306', /accent/, 'a stack of marks'],
    ['___', /letter or digit/, 'no letter or digit'],
    ['admin', /reserved/, 'reserved'],
    ['System', /reserved/, 'reserved, any case'],
    ['PARLEY', /reserved/, 'reserved, any case'],
    ['\uff41\uff44\uff4d\uff49\uff4e', /reserved/, 'fullwidth admin'],
    ['adrnin', /reserved/, 'look-alike of admin (rn)'],
    ['\u0430\u0501\u217f\u0456\u0578', /reserved|one script|common use/, 'Cyrillic/other look-alike of admin'],
    ['\u13e3\u13b3\u13a9', /common use/, 'Cherokee: not a recommended script']
  ]
  for (const [name, message, why] of cases) {
    const res = await register(server, name)
    t.same([res.status, res.code], [400, 'invalid_username'], why)
    t.match(res.body.message, message, why)
  }
})

t.test('one script per name, with the CJK combinations of UTS #39 "highly restrictive"', async (t) => {
  const server = await buildTestApp(t)
  for (const name of ['Дмитрий', 'Ελένη', '李小龍', '東京タワー', 'ひらがな漢字', '서울시청', '한국漢字', 'taro太郎', 'user_42', 'नमस्ते', 'Zoë-Ørjan']) {
    const res = await register(server, name)
    t.equal(res.status, 201, `${name}: ${JSON.stringify(res.body)}`)
  }
  for (const name of ['한국ひらがな', 'Дмитрийx', '李Дмитрий']) {
    t.same((await register(server, name)).code, 'invalid_username', name)
  }
})

t.test('a fullwidth name is stored in NFKC and logs in typed either way', async (t) => {
  const server = await buildTestApp(t)
  const reg = await register(server, '\uff42\uff4f\uff42\uff42\uff59')
  t.same([reg.status, reg.body], [201, { username: 'bobby' }])
  for (const typed of ['bobby', 'BOBBY', '\uff42\uff4f\uff42\uff42\uff59', '\uff22\uff2f\uff22\uff22\uff39']) {
    const res = await request(server, 'POST', '/api/login', { body: { username: typed, password: PASSWORD } })
    t.same([res.status, res.body], [200, { username: 'bobby' }], typed)
  }
  const lookalike = await request(server, 'POST', '/api/login', { body: { username: 'b\u043ebby', password: PASSWORD } })
  t.equal(lookalike.status, 401, 'a look-alike is not a way in')
})

t.test('concurrent registrations of confusable names -> exactly one wins, the rest 409', async (t) => {
  const server = await buildTestApp(t)
  for (let round = 0; round < 3; round++) {
    const base = `carol${round}`
    const names = [base, base.toUpperCase(), base.replace('l', 'I'), base.replace('a', '\u0430').replace('o', '\u043e').replace('c', '\u0441'),
      [...base].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''), base.replace('o', '\u03bf')]
    const results = await Promise.all(names.map((name) => register(server, name)))
    const statuses = results.map((r) => r.status)
    t.equal(statuses.filter((s) => s === 201).length, 1, `round ${round}: one winner of ${statuses}`)
    t.ok(results.every((r) => r.status === 201 || (r.status === 409 && r.code === 'username_taken') || r.code === 'invalid_username'),
      `round ${round}: the rest are taken (or invalid): ${statuses}`)
    t.ok(results.filter((r) => r.status === 409).length >= 3, `round ${round}: several lost the race as taken`)
  }
})
