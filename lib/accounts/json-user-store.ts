// The user store on one JSON file: whole-file atomic writes, serialised and coalesced (group commit).
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../shared/atomic-file.js'
import { foldUsername, usernameKey } from './credentials.js'
import { nameSkeletons } from './confusables.js'
import { UnknownUserError, UsernameTakenError, type UserRecord, type UserStore } from './user-store.js'

// Hooks for tests and metrics; both optional.
export interface JsonUserStoreOptions {
  /** Called after each durable write with the number of changes it carried. */
  onWrite?: (changes: number) => void
  /** Replaces the atomic writer (tests inject failures with it). */
  writeFile?: (file: string, data: string) => Promise<void>
}

// One in-memory change waiting to be made durable: how to undo it, and whom to tell.
interface Change {
  key: string
  previous: UserRecord | undefined
  resolve: () => void
  reject: (err: Error) => void
}

// Opens (or, when missing, creates empty: parent dir 0700, file 0600) the store file; rejects without touching an unreadable or corrupt file.
export async function openJsonUserStore(file: string, options: JsonUserStoreOptions = {}): Promise<UserStore> {
  const write = options.writeFile ?? ((target: string, data: string) => writeFileAtomic(target, data, 0o600))
  const users = await loadUsers(file)
  await removeStaleTempFiles(file)
  if (users === undefined) {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    // Written at open so that an unwritable data dir stops start-up, not the first registration.
    await write(file, serialise(new Map()))
  }
  const byKey = users ?? new Map<string, UserRecord>()
  // In-memory indexes, rebuilt at every open (the file keeps its NFC-lowercase keys, so older
  // stores load unchanged). byFold finds a name typed in another NFKC/case form (`ａｌｉｃｅ`);
  // null marks a fold shared by two names stored before the look-alike rule (found by neither).
  // bySkeleton holds every stored name's confusable skeletons: a new name meeting one is taken.
  const byFold = new Map<string, string | null>()
  const bySkeleton = new Map<string, string>()
  for (const [key, record] of byKey) index(key, record)
  let pending: Change[] = []
  let flushing: Promise<void> | undefined
  let closed = false

  function index(key: string, record: UserRecord): void {
    const fold = foldUsername(record.username)
    byFold.set(fold, byFold.has(fold) && byFold.get(fold) !== key ? null : key)
    for (const s of nameSkeletons(record.username)) if (!bySkeleton.has(s)) bySkeleton.set(s, key)
  }

  function unindex(key: string, record: UserRecord): void {
    const fold = foldUsername(record.username)
    if (byFold.get(fold) === key) byFold.delete(fold)
    for (const s of nameSkeletons(record.username)) if (bySkeleton.get(s) === key) bySkeleton.delete(s)
  }

  // Sets (or, with undefined, removes) a record and keeps the indexes in step.
  function put(key: string, record: UserRecord | undefined): void {
    const old = byKey.get(key)
    if (old) unindex(key, old)
    if (record === undefined) byKey.delete(key)
    else {
      byKey.set(key, record)
      index(key, record)
    }
  }

  // The same name, the same name in another NFKC/case form, or a look-alike of a stored name.
  function taken(username: string): boolean {
    if (byKey.has(usernameKey(username)) || byFold.has(foldUsername(username))) return true
    return nameSkeletons(username).some((s) => bySkeleton.has(s))
  }

  // Applies a change in memory now and resolves once a write that includes it is durable.
  function commit(key: string, record: UserRecord): Promise<void> {
    const previous = byKey.get(key)
    put(key, structuredClone(record))
    return new Promise<void>((resolve, reject) => {
      pending.push({ key, previous, resolve, reject })
      flushing ??= flush()
    })
  }

  // Writes until nothing is pending; each write carries every change made before it started.
  async function flush(): Promise<void> {
    try {
      // Let the current burst of calls join the first write.
      await new Promise((resolve) => setImmediate(resolve))
      await writeBatches()
    } finally {
      // Cleared synchronously as the loop ends, so a change made by a resolved caller starts a new flush.
      flushing = undefined
    }
  }

  async function writeBatches(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending
      pending = []
      try {
        await write(file, serialise(byKey))
      } catch (cause) {
        // Later changes were made on top of this batch: undo all of them, newest first, and reject them.
        const failed = [...batch, ...pending]
        pending = []
        for (const change of failed.toReversed()) put(change.key, change.previous)
        const message = cause instanceof Error ? cause.message : String(cause)
        const err = new Error(`could not write user store ${file}: ${message}`, { cause })
        for (const change of failed) change.reject(err)
        return
      }
      for (const change of batch) change.resolve()
      try {
        options.onWrite?.(batch.length)
      } catch {
        // A faulty hook must not stall the writes queued behind it.
      }
    }
  }

  function assertOpen(): void {
    if (closed) throw new Error(`user store ${file} is closed`)
  }

  return {
    async findUser(username) {
      // The exact stored spelling first (names stored before NFKC keep working), then the fold.
      const key = byKey.has(usernameKey(username)) ? usernameKey(username) : byFold.get(foldUsername(username))
      const record = key == null ? undefined : byKey.get(key)
      return record && structuredClone(record)
    },
    async isTaken(username) {
      return taken(username)
    },
    async createUser(record) {
      assertOpen()
      // Checked and claimed synchronously: of two concurrent look-alike registrations ("alice",
      // "ALICE", "ａｌｉｃｅ", "aIice") exactly one wins.
      if (taken(record.username)) throw new UsernameTakenError(record.username)
      return commit(usernameKey(record.username), record)
    },
    async updateUser(record) {
      assertOpen()
      const key = usernameKey(record.username)
      if (!byKey.has(key)) throw new UnknownUserError(record.username)
      return commit(key, record)
    },
    async countUsers() {
      return byKey.size
    },
    async listUsernames() {
      return [...byKey.values()].map((record) => record.username)
    },
    async close() {
      closed = true
      await flushing
    }
  }
}

function serialise(byKey: Map<string, UserRecord>): string {
  // Object.fromEntries defines own properties, so a user named "__proto__" is stored like any other.
  return JSON.stringify({ version: 1, users: Object.fromEntries(byKey) }, null, 2) + '\n'
}

// Reads and checks the file; undefined when it does not exist.
async function loadUsers(file: string): Promise<Map<string, UserRecord> | undefined> {
  const data = await readJsonFile(file, (problem, cause) => refuse(file, problem, cause))
  if (data === undefined) return undefined
  if (!isObject(data) || data.version !== 1 || !isObject(data.users)) {
    throw refuse(file, 'is not of the shape {"version":1,"users":{...}}')
  }
  const byKey = new Map<string, UserRecord>()
  for (const [key, record] of Object.entries(data.users)) {
    if (!isUserRecord(record)) throw refuse(file, `has a malformed record under ${JSON.stringify(key)}`)
    if (usernameKey(record.username) !== key) {
      throw refuse(file, `files ${JSON.stringify(record.username)} under the wrong key ${JSON.stringify(key)}`)
    }
    byKey.set(key, record)
  }
  return byKey
}

function refuse(file: string, problem: string, cause?: unknown): Error {
  return new Error(`user store ${file} ${problem}; the file was left untouched`, { cause })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

function isUserRecord(value: unknown): value is UserRecord {
  if (!isObject(value) || !isObject(value.password)) return false
  if (typeof value.username !== 'string' || typeof value.createdAt !== 'string' || typeof value.updatedAt !== 'string') {
    return false
  }
  const password = value.password
  if (password.alg === 'sha256-legacy') return typeof password.hash === 'string'
  return (
    (password.alg === 'scrypt' || password.alg === 'scrypt-sha256') &&
    isPositiveInteger(password.N) &&
    isPositiveInteger(password.r) &&
    isPositiveInteger(password.p) &&
    typeof password.salt === 'string' &&
    typeof password.hash === 'string'
  )
}
