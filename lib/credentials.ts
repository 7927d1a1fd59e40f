// Username and password rules, shared by registration, login and the legacy import.

// Shortest and longest username, in code points after NFC.
export const USERNAME_MIN_LENGTH = 3
export const USERNAME_MAX_LENGTH = 32
// Shortest and longest password, in code points (no composition rules).
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

// Letters, combining marks, decimal digits and `_ . -`; tested on the NFC form.
const USERNAME_CHARS = /^[\p{L}\p{M}\p{Nd}_.-]+$/u

// The form a username is stored and displayed in: Unicode NFC.
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFC')
}

// The case-folded key that makes names unique ("Alice" and "alice" are one user).
export function usernameKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

// Checks a username against the rules (on its NFC form); null when it is acceptable.
export function checkUsername(name: string): 'invalid_username' | null {
  const nfc = name.normalize('NFC')
  const length = [...nfc].length
  if (length < USERNAME_MIN_LENGTH || length > USERNAME_MAX_LENGTH) return 'invalid_username'
  return USERNAME_CHARS.test(nfc) ? null : 'invalid_username'
}

// Checks a password for length and that it differs from the username; null when it is acceptable.
export function checkPassword(password: string, username: string): 'invalid_password' | null {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) return 'invalid_password'
  return usernameKey(password) === usernameKey(username) ? 'invalid_password' : null
}
