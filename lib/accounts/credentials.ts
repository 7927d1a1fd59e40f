// Username and password rules: one browser-safe module (no imports) that the page and the server share.
// Uniqueness by look-alike (confusable skeletons, UTS #39) is the server's: lib/accounts/confusables.ts.

// Shortest and longest username, in code points after NFKC.
export const USERNAME_MIN_LENGTH = 3
export const USERNAME_MAX_LENGTH = 32
// Shortest and longest password, in code points (no composition rules).
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128
// Most combining marks in a row (Tibetan stacks need 3-4; more only draws "Zalgo" towers).
export const USERNAME_MAX_MARK_RUN = 4

/** Names nobody may register, nor any look-alike of them (compared case-folded here, by skeleton on the server). */
export const RESERVED_USERNAMES: readonly string[] = [
  'admin', 'administrator', 'root', 'system', 'parley', 'moderator', 'mod', 'support',
  'staff', 'official', 'server', 'security', 'everyone', 'anonymous', 'null', 'undefined'
]

/**
 * Scripts a name may be written in: UAX #31 Table 5 "Recommended Scripts" (ISO 15924 codes).
 * Historic and limited-use scripts are refused: they add look-alikes and little else for names.
 */
export const USERNAME_SCRIPTS: readonly string[] = [
  'Arab', 'Armn', 'Beng', 'Bopo', 'Cyrl', 'Deva', 'Ethi', 'Geor', 'Grek', 'Gujr', 'Guru', 'Hang', 'Hani', 'Hebr',
  'Hira', 'Kana', 'Khmr', 'Knda', 'Laoo', 'Latn', 'Mlym', 'Mymr', 'Orya', 'Sinh', 'Taml', 'Telu', 'Thaa', 'Thai', 'Tibt'
]

/** Why a username is refused; every reason is answered as `invalid_username`. */
export type UsernameProblem = 'length' | 'characters' | 'invisible' | 'marks' | 'script' | 'mixed_scripts' | 'reserved'

/** One text per reason, shown by the page and sent by the server as the error message. */
export const USERNAME_PROBLEMS: Record<UsernameProblem, string> = {
  length: `Usernames are ${USERNAME_MIN_LENGTH}-${USERNAME_MAX_LENGTH} characters long.`,
  characters: "Usernames are letters, digits, '_', '.' or '-', with at least one letter or digit.",
  invisible: 'Usernames may not contain invisible or blank characters.',
  marks: `Usernames may not start with an accent or stack more than ${USERNAME_MAX_MARK_RUN} accents.`,
  script: 'Usernames are written in a script in common use (Latin, Cyrillic, Greek, Arabic, Han, Devanagari, ...).',
  mixed_scripts: 'Usernames use one script (e.g. Latin or Cyrillic, not both); Japanese and Korean may mix with Han and Latin.',
  reserved: 'That username is reserved.'
}

export const PASSWORD_PROBLEM = `Passwords are ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters and may not be the username.`

/** Why a password is refused; every reason is answered as `invalid_password`. */
export type PasswordProblem = 'length' | 'username'

/** One text per reason, naming the rule that failed (the page shows it, the server sends it). */
export const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  length: `Passwords are ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters long.`,
  username: 'The password may not be the username.'
}

// Letters, combining marks, decimal digits and `_ . -`; tested on the NFKC form.
const USERNAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.-]+$/u
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u
// Default_Ignorable_Code_Point covers the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) and
// variation selectors; the fillers are also listed so the rule reads without the tables.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0]/u
const MARK = /\p{M}/u
// Characters of no one script: digits 0-9, `_ . -` (Common) and marks that take their base's script (Inherited).
const SCRIPT_NEUTRAL = /^[0-9_.-]$|^\p{scx=Zinh}$/u
const SCRIPT_TESTS = USERNAME_SCRIPTS.map((code) => [code, new RegExp(`\\p{scx=${code}}`, 'u')] as const)
// UTS #39 augmentation: Han also writes Japanese (Jpan), Korean (Kore) and Chinese with Bopomofo (Hanb).
const AUGMENT: Record<string, string[]> = {
  Hani: ['Jpan', 'Kore', 'Hanb'],
  Hira: ['Jpan'],
  Kana: ['Jpan'],
  Hang: ['Kore'],
  Bopo: ['Hanb']
}
const CJK = ['Jpan', 'Kore', 'Hanb']

/** The form a username is stored and displayed in: Unicode NFKC (fullwidth `ａｌｉｃｅ` is `alice`). */
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFKC')
}

/** The key a user is filed under in the store: NFC, lower case ("Alice" and "alice" are one user). */
export function usernameKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/** NFKC with full case folding (approximated as upper- then lower-casing: `ß` -> `ss`, `ς` -> `σ`). */
export function foldUsername(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC')
}

/** The first rule a username breaks (checked on its NFKC form), or null when it is acceptable. */
export function usernameProblem(raw: string): UsernameProblem | null {
  const name = normaliseUsername(raw)
  const chars = [...name]
  if (chars.length < USERNAME_MIN_LENGTH || chars.length > USERNAME_MAX_LENGTH) return 'length'
  if (INVISIBLE.test(name)) return 'invisible'
  if (!USERNAME_CHARS.test(name)) return 'characters'
  if (!marksOk(chars)) return 'marks'
  if (!LETTER_OR_DIGIT.test(name)) return 'characters'
  const scripts = scriptProblem(chars)
  if (scripts) return scripts
  const folded = foldUsername(name)
  if (RESERVED_USERNAMES.some((reserved) => foldUsername(reserved) === folded)) return 'reserved'
  return null
}

/** Checks a username against the rules; null when it is acceptable. */
export function checkUsername(name: string): 'invalid_username' | null {
  return usernameProblem(name) ? 'invalid_username' : null
}

/** The rule a password breaks: its length (in code points), or being the username in any case; null when acceptable. */
export function passwordProblem(password: string, username: string): PasswordProblem | null {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) return 'length'
  return usernameKey(password) === usernameKey(username) ? 'username' : null
}

/** Checks a password for length and that it differs from the username; null when it is acceptable. */
export function checkPassword(password: string, username: string): 'invalid_password' | null {
  return passwordProblem(password, username) ? 'invalid_password' : null
}

// No leading mark (it would sit on whatever precedes the name) and no run of more than USERNAME_MAX_MARK_RUN.
function marksOk(chars: string[]): boolean {
  let run = 0
  for (const [i, c] of chars.entries()) {
    if (!MARK.test(c)) run = 0
    else if (i === 0 || ++run > USERNAME_MAX_MARK_RUN) return false
  }
  return true
}

// UTS #39 "Highly Restrictive": one script (Script_Extensions, Common/Inherited neutral), or Latin with
// one of Han+Hiragana+Katakana, Han+Hangul, Han+Bopomofo. A letter of no recommended script fails.
function scriptProblem(chars: string[]): 'script' | 'mixed_scripts' | null {
  let all: Set<string> | undefined // undefined: every script so far
  let nonLatin: Set<string> | undefined
  for (const c of chars) {
    if (SCRIPT_NEUTRAL.test(c)) continue
    const scripts = new Set<string>()
    for (const [code, test] of SCRIPT_TESTS) {
      if (test.test(c)) for (const s of [code, ...(AUGMENT[code] ?? [])]) scripts.add(s)
    }
    if (scripts.size === 0) return 'script'
    all = intersect(all, scripts)
    if (!scripts.has('Latn')) nonLatin = intersect(nonLatin, scripts)
  }
  if (all === undefined || all.size > 0) return null
  return nonLatin !== undefined && CJK.some((s) => nonLatin.has(s)) ? null : 'mixed_scripts'
}

function intersect(a: Set<string> | undefined, b: Set<string>): Set<string> {
  return a === undefined ? b : new Set([...a].filter((s) => b.has(s)))
}
