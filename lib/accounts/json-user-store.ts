// The user store's local adapter: one JSON file, whole-file atomic writes coalesced by the shared group-commit writer.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import Type from 'typebox'
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../shared/atomic-file.js'
import { foldUsername, usernameKey } from './credentials.js'
import { nameSkeletons } from './confusables.js'
import { createGroupWriter } from '../shared/group-writer.js'
import { recordCheck } from '../shared/stored-record.js'
import { UnknownUserError, UsernameTakenError, UserRecordSchema, type UserRecord, type UserStore } from './ports.js'

// Hooks for tests and metrics; both optional.
export interface JsonUserStoreOptions {
  /** Called after each durable write with the number of changes it carried. */
  onWrite?: (changes: number) => void
  /** Replaces the atomic writer (tests inject failures with it). */
  writeFile?: (file: string, data: string) => Promise<void>
}

// One in-memory change waiting to be made durable: how to undo it.
interface Change {
  key: string
  previous: UserRecord | undefined
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
  let closed = false
  const writer = createGroupWriter<Change>({
    what: `user store ${file}`,
    snapshot: () => serialise(byKey),
    write: (data) => write(file, data),
    // Later changes were made on top of a failed batch: all of them are undone, newest first.
    failQueued: true,
    rollback: (failed) => {
      for (const change of failed.toReversed()) put(change.key, change.previous)
    },
    onWrite: options.onWrite
  })

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
    return writer.commit({ key, previous })
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
      await writer.settled()
    }
  }
}

function serialise(byKey: Map<string, UserRecord>): string {
  // Object.fromEntries defines own properties, so a user named "__proto__" is stored like any other.
  return JSON.stringify({ version: 1, users: Object.fromEntries(byKey) }, null, 2) + '\n'
}

const isUsersFile = recordCheck(Type.Object({ version: Type.Literal(1), users: Type.Record(Type.String(), Type.Unknown()) }))
const isUserRecord = recordCheck(UserRecordSchema)

// Reads and checks the file; undefined when it does not exist.
async function loadUsers(file: string): Promise<Map<string, UserRecord> | undefined> {
  const data = await readJsonFile(file, (problem, cause) => refuse(file, problem, cause))
  if (data === undefined) return undefined
  if (!isUsersFile(data)) {
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
