// The user store interface: what the app needs from any backend (JSON file today, Redis or SQL later).

export type PasswordHash =
  | {
      alg: 'scrypt'
      N: number
      r: number
      p: number
      /** base64 */
      salt: string
      /** base64, 64 bytes */
      hash: string
    }
  | {
      /**
       * Imported from the predecessor app: scrypt over the lowercase SHA-256 hex of the password
       * (the old hash wrapped at import, so it is never on disk bare); replaced by plain scrypt at first login.
       */
      alg: 'scrypt-sha256'
      N: number
      r: number
      p: number
      /** base64 */
      salt: string
      /** base64, 64 bytes */
      hash: string
    }
  | {
      /** Imported by older versions: bare SHA-256 hex. Wrapped into 'scrypt-sha256' when the server starts. */
      alg: 'sha256-legacy'
      hash: string
    }

export interface UserRecord {
  /** Display name as registered (NFKC since look-alike rules; NFC before). Lookups are case-insensitive. */
  username: string
  password: PasswordHash
  createdAt: string
  updatedAt: string
}

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
  /** Resolves only once the new user is durable; rejects with UsernameTakenError when isTaken would be true. */
  createUser(record: UserRecord): Promise<void>
  /** Replaces an existing record (same name, case-insensitively); rejects with UnknownUserError. Durable on resolve. */
  updateUser(record: UserRecord): Promise<void>
  countUsers(): Promise<number>
  /** Every stored username (as registered); for maintenance jobs such as wrapping legacy hashes. */
  listUsernames(): Promise<string[]>
  /** Waits for pending writes, then releases the store. */
  close(): Promise<void>
}
