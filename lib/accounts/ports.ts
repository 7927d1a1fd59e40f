// The accounts ports: what the app needs from the user store and the login guard, whatever holds
// them (a JSON file and process memory today: json-user-store.ts, login-limits.ts; Redis later).
import Type, { type Static } from 'typebox'
import { SafeInteger } from '../shared/stored-record.js'

const ScryptFields = {
  N: SafeInteger(1),
  r: SafeInteger(1),
  p: SafeInteger(1),
  salt: Type.String({ description: 'base64' }),
  hash: Type.String({ description: 'base64, 64 bytes' })
}

export const PasswordHashSchema = Type.Union([
  Type.Object({ alg: Type.Literal('scrypt'), ...ScryptFields }),
  // Imported from the predecessor app: scrypt over the lowercase SHA-256 hex of the password
  // (the old hash wrapped at import, so it is never on disk bare); replaced by plain scrypt at first login.
  Type.Object({ alg: Type.Literal('scrypt-sha256'), ...ScryptFields }),
  // Imported by older versions: bare SHA-256 hex. Wrapped into 'scrypt-sha256' when the server starts.
  Type.Object({ alg: Type.Literal('sha256-legacy'), hash: Type.String() })
])
export type PasswordHash = Static<typeof PasswordHashSchema>

/** One stored user, as users.json holds it. */
export const UserRecordSchema = Type.Object({
  /** Display name as registered (NFKC since look-alike rules; NFC before). Lookups are case-insensitive. */
  username: Type.String(),
  password: PasswordHashSchema,
  createdAt: Type.String(),
  updatedAt: Type.String()
})
export type UserRecord = Static<typeof UserRecordSchema>

export class UsernameTakenError extends Error {
  override readonly name = 'UsernameTakenError'
  readonly code = 'username_taken'
  constructor(username: string) {
    super(`username "${username}" is taken`)
  }
}

export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError'
  readonly code = 'unknown_user'
  constructor(username: string) {
    super(`no user "${username}"`)
  }
}

export interface UserStore {
  /** The user stored under this exact spelling (case-insensitively), else the one whose NFKC case fold matches. */
  findUser(username: string): Promise<UserRecord | undefined>
  /** True when a stored name equals this one case-insensitively, after NFKC, or by confusable skeleton (look-alike). */
  isTaken(username: string): Promise<boolean>
  /**
   * Checks and claims the name (its fold and every skeleton) in one atomic step, so of two
   * concurrent look-alike registrations exactly one wins. Resolves only once the new user is
   * durable; rejects with UsernameTakenError when isTaken would be true.
   */
  createUser(record: UserRecord): Promise<void>
  /** Replaces an existing record (same name, case-insensitively); rejects with UnknownUserError. Durable on resolve. */
  updateUser(record: UserRecord): Promise<void>
  countUsers(): Promise<number>
  /** Every stored username (as registered); for maintenance jobs such as wrapping legacy hashes. */
  listUsernames(): Promise<string[]>
  /** Waits for pending writes, then releases the store. */
  close(): Promise<void>
}

export type LoginOutcome = 'success' | 'failure' | 'void'

export type Admission =
  | { ok: true; done(outcome: LoginOutcome): void }
  | { ok: false; reason: 'address' | 'pair' | 'account'; retryInMs: number }
  | { ok: false; reason: 'busy'; retryInMs: number }

/** Failed-login limits with the attempts in flight counted (per address, per account and address, per account). */
export interface LoginGuard {
  /**
   * Admits an attempt when every limit has a failure left for it beyond the attempts already in
   * flight; when only in-flight attempts stand in the way, waits for them to finish (each either
   * spends a failure or not) and decides again. An admitted attempt must call done() exactly once.
   */
  admit(account: string, address: string): Promise<Admission>
  /** Forgets state that is back to its initial value (a shared store expires it instead). */
  prune(): void
  /** Attempts admitted and not yet done, on this node. */
  readonly inFlight: number
}
