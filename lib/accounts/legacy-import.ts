// Imports the predecessor app's users.json ({ "<name>": "<sha256 hex>" }) as scrypt-wrapped legacy records; nothing is silently changed.
import { normaliseUsername, USERNAME_PROBLEMS, usernameProblem } from './credentials.js'
import { isReservedLookalike, nameSkeletons } from './confusables.js'
import { DEFAULT_SCRYPT_PARAMS, wrapLegacyHash, type ScryptParams } from './password.js'
import { UsernameTakenError, type PasswordHash, type UserStore } from './ports.js'

// Which names were imported, and which were skipped and why.
export interface ImportResult {
  imported: string[]
  skipped: { name: string; reason: string }[]
}

const SHA256_HEX = /^[0-9a-f]{64}$/i

// Adds every valid, new entry of data to the store as { alg: 'scrypt-sha256' }; throws when data is not an object of strings.
export async function importLegacyUsers(store: UserStore, data: unknown, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<ImportResult> {
  const entries = legacyEntries(data)
  const skipped: ImportResult['skipped'] = []
  const accepted: [string, string][] = []
  const firstBySkeleton = new Map<string, string>()

  for (const [name, hash] of entries) {
    const reason = await skipReason(store, name, hash, firstBySkeleton)
    if (reason) skipped.push({ name, reason })
    else {
      accepted.push([name, hash])
      for (const s of nameSkeletons(name)) if (!firstBySkeleton.has(s)) firstBySkeleton.set(s, name)
    }
  }

  // The bare SHA-256 never reaches the disk: each is wrapped in scrypt first (a few at a time).
  const wrapped = await mapLimited(accepted, WRAP_CONCURRENCY, ([, hash]) => wrapLegacyHash(hash, params))
  // Created together so that the store can save them in a few writes.
  const now = new Date().toISOString()
  const outcomes = await Promise.allSettled(
    accepted.map(([name], i) => store.createUser({ username: name, password: wrapped[i]!, createdAt: now, updatedAt: now }))
  )
  const imported: string[] = []
  outcomes.forEach((outcome, i) => {
    const name = accepted[i]![0]
    if (outcome.status === 'fulfilled') imported.push(name)
    // Someone registered the name while the import ran.
    else if (outcome.reason instanceof UsernameTakenError) skipped.push({ name, reason: 'already exists in the store' })
    else skipped.push({ name, reason: `could not be saved: ${(outcome.reason as Error).message}` })
  })
  return { imported, skipped }
}

function legacyEntries(data: unknown): [string, string][] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('legacy users data must be a JSON object of { "<name>": "<sha256 hex>" }')
  }
  const entries = Object.entries(data)
  for (const [name, hash] of entries) {
    if (typeof hash !== 'string') {
      throw new Error(`legacy users data must map names to strings; the value for ${JSON.stringify(name)} is ${typeof hash}`)
    }
  }
  return entries as [string, string][]
}

async function skipReason(store: UserStore, name: string, hash: string, firstBySkeleton: Map<string, string>): Promise<string | null> {
  if (normaliseUsername(name) !== name) return 'name is not in Unicode NFKC form (it would change on import)'
  const problem = usernameProblem(name) ?? (isReservedLookalike(name) ? 'reserved' : null)
  if (problem) return `invalid username: ${USERNAME_PROBLEMS[problem]}`
  if (!SHA256_HEX.test(hash)) return 'password hash is not 64 hex characters'
  const earlier = nameSkeletons(name).map((s) => firstBySkeleton.get(s)).find((n) => n !== undefined)
  if (earlier !== undefined) return `duplicate of ${JSON.stringify(earlier)} in this file (names are compared case-insensitively and by look-alike)`
  const existing = await store.findUser(name)
  if (existing) return `already exists in the store as ${JSON.stringify(existing.username)}`
  if (await store.isTaken(name)) return 'looks like a name already in the store'
  return null
}

const WRAP_CONCURRENCY = 2

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

// Wraps every bare 'sha256-legacy' record (left by older imports) in scrypt; returns the names wrapped.
// `wrap` is where the hashing runs (the server passes its queue). A record changed meanwhile
// (a login re-hashed it, a password was changed) is left as it now is.
export async function wrapStoredLegacyHashes(
  store: UserStore,
  wrap: (sha256hex: string) => Promise<PasswordHash>,
  shouldStop: () => boolean = () => false
): Promise<string[]> {
  const done: string[] = []
  for (const name of await store.listUsernames()) {
    if (shouldStop()) break
    const before = await store.findUser(name)
    if (before?.password.alg !== 'sha256-legacy' || !SHA256_HEX.test(before.password.hash)) continue
    const password = await wrap(before.password.hash)
    const now = await store.findUser(name)
    // Compare-and-set: no await between this check and the update.
    if (now?.password.alg !== 'sha256-legacy' || now.password.hash !== before.password.hash) continue
    await store.updateUser({ ...now, password, updatedAt: new Date().toISOString() })
    done.push(now.username)
  }
  return done
}
