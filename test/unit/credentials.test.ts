import t from 'tap'
import {
  checkPassword,
  checkUsername,
  foldUsername,
  normaliseUsername,
  RESERVED_USERNAMES,
  USERNAME_PROBLEMS,
  usernameProblem,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  usernameKey,
  PASSWORD_PROBLEMS,
  passwordProblem
} from '../../lib/accounts/credentials.js'

t.test('limits are the documented ones', async (t) => {
  t.same([USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH], [3, 32, 8, 128])
})

t.test('letters of any script, digits and _ . - make a valid username', async (t) => {
  for (const name of ['alice', 'Bob_42', 'a.b-c', 'Zoë', 'Ørjan', 'Дмитрий', '李小龍', 'नमस्ते', '١٢٣']) {
    t.equal(checkUsername(name), null, name)
  }
})

t.test('emoji, spaces, markup and other symbols are refused', async (t) => {
  for (const name of ['bob😀', 'bob smith', '<script>', 'a&b', 'bob\u200b', 'bob\n', 'x@y', 'bob\u202e', 'bob\u0000']) {
    t.equal(checkUsername(name), 'invalid_username', JSON.stringify(name))
  }
})

t.test('length is counted in code points after NFC: 2 and 33 refused, 3 and 32 accepted', async (t) => {
  t.equal(checkUsername('ab'), 'invalid_username')
  t.equal(checkUsername('abc'), null)
  t.equal(checkUsername('a'.repeat(32)), null)
  t.equal(checkUsername('a'.repeat(33)), 'invalid_username')
  t.equal(checkUsername(''), 'invalid_username')
  // "e" + combining acute is 3 code points, but 2 after NFC.
  t.equal(checkUsername('xe\u0301'), 'invalid_username')
  t.equal(checkUsername('xye\u0301'), null)
  // 32 decomposed letters are 64 code points, but 32 after NFC.
  t.equal(checkUsername('e\u0301'.repeat(32)), null)
  // Astral letters count once each.
  t.equal(checkUsername('𝒜𝒜𝒜'), null)
})

t.test('combining marks that survive NFC are allowed', async (t) => {
  // No precomposed form of "q" with acute exists, so the mark stays.
  t.equal(checkUsername('qq\u0301'), null)
})

t.test('lone surrogates are refused', async (t) => {
  t.equal(checkUsername('ab\ud800'), 'invalid_username')
})

t.test('normaliseUsername composes (NFKC includes NFC)', async (t) => {
  t.equal(normaliseUsername('Jose\u0301'), 'José')
  t.equal(normaliseUsername('José'), 'José')
})

t.test('usernameKey folds case and normalisation together', async (t) => {
  t.equal(usernameKey('Alice'), usernameKey('alice'))
  t.equal(usernameKey('JOSE\u0301'), usernameKey('josé'))
  t.not(usernameKey('alice'), usernameKey('alicia'))
})

t.test('password length edges: 7 and 129 refused, 8 and 128 accepted', async (t) => {
  t.equal(checkPassword('a'.repeat(7), 'alice'), 'invalid_password')
  t.equal(checkPassword('a'.repeat(8), 'alice'), null)
  t.equal(checkPassword('a'.repeat(128), 'alice'), null)
  t.equal(checkPassword('a'.repeat(129), 'alice'), 'invalid_password')
  // Counted in code points: 8 emoji are 16 UTF-16 units, 128 emoji are 256.
  t.equal(checkPassword('😀'.repeat(8), 'alice'), null)
  t.equal(checkPassword('😀'.repeat(128), 'alice'), null)
  t.equal(checkPassword('😀'.repeat(7), 'alice'), 'invalid_password')
})

t.test('no composition rules: spaces and a single repeated letter are fine', async (t) => {
  t.equal(checkPassword('correct horse battery staple', 'alice'), null)
  t.equal(checkPassword('zzzzzzzz', 'alice'), null)
})

t.test('a password equal to the username, in any case, is refused', async (t) => {
  t.equal(checkPassword('alice_smith', 'alice_smith'), 'invalid_password')
  t.equal(checkPassword('ALICE_Smith', 'alice_smith'), 'invalid_password')
  t.equal(checkPassword('José_maria', 'Jose\u0301_Maria'), 'invalid_password')
  t.equal(checkPassword('alice_smith1', 'alice_smith'), null)
})

t.test('usernameProblem names the rule a name breaks', async (t) => {
  const cases: [string, string | null][] = [
    ['alice', null],
    ['ab', 'length'],
    ['bob smith', 'characters'],
    ['___', 'characters'],
    ['\u3164\u3164\u3164', 'invisible'],
    ['\uffa0abc', 'invisible'],
    ['abc\u115f', 'invisible'],
    ['ab\u00adc', 'invisible'],
    ['\u0301\u0301\u0301', 'marks'],
    ['\u0301abc', 'marks'],
    ['q' + '\u0301\u0302\u0303\u0304\u0305', 'marks'],
    ['q' + '\u0301\u0302\u0303\u0304', null],
    ['\u0430lice', 'mixed_scripts'],
    ['\u13e3\u13b3\u13a9', 'script'],
    ['\u02bcabc'.replace('\u02bc', '\u02b9'), 'script'],
    ['admin', 'reserved'],
    ['Root', 'reserved'],
    ['\u6771\u4eac\u30bf\u30ef\u30fc', null],
    ['\ud55c\uad6d\u6f22\u5b57', null],
    ['taro\u592a\u90ce', null],
    ['\ud55c\uad6d\u3072\u3089', 'mixed_scripts']
  ]
  for (const [name, problem] of cases) t.equal(usernameProblem(name), problem, JSON.stringify(name))
})

t.test('every problem has a message; the reserved list is short and lower case', async (t) => {
  for (const text of Object.values(USERNAME_PROBLEMS)) t.match(text, /\S/)
  t.ok(RESERVED_USERNAMES.includes('admin') && RESERVED_USERNAMES.includes('system') && RESERVED_USERNAMES.includes('parley'))
  for (const name of RESERVED_USERNAMES) t.equal(name, name.toLowerCase())
})

t.test('normaliseUsername is NFKC; foldUsername also folds case', async (t) => {
  t.equal(normaliseUsername('\uff41\uff4c\uff49\uff43\uff45'), 'alice')
  t.equal(normaliseUsername('\ufb01sh'), 'fish')
  t.equal(foldUsername('STRASSE'), foldUsername('stra\u00dfe'))
  t.equal(foldUsername('\uff21\uff2c\uff29\uff23\uff25'), 'alice')
})

t.test('passwordProblem names the rule a password breaks, with a text per rule', async (t) => {
  t.equal(passwordProblem('short', 'alice'), 'length')
  t.equal(passwordProblem('p'.repeat(129), 'alice'), 'length')
  t.equal(passwordProblem('ALICE_Smith', 'alice_smith'), 'username')
  t.equal(passwordProblem('correct horse', 'alice'), null)
  t.match(PASSWORD_PROBLEMS.length, /8-128 characters/)
  t.match(PASSWORD_PROBLEMS.username, /username/)
})
