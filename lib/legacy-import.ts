// Imports the predecessor app's users.json ({ "<name>": "<sha256 hex>" }) as legacy records; nothing is silently changed.
import { normaliseUsername, USERNAME_PROBLEMS, usernameProblem } from './credentials.js'
import { isReservedLookalike, nameSkeletons } from './confusables.js'
import { UsernameTakenError, type UserStore } from './user-store.js'

// Which names were imported, and which were skipped and why.
export interface ImportResult {
  imported: string[]
  skipped: { name: string; reason: string }[]
}

const SHA256_HEX = /^[0-9a-f]{64}$/i

// Adds every valid, new entry of data to the store as { alg: 'sha256-legacy' }; throws when data is not an object of strings.
export async function importLegacyUsers(store: UserStore, data: unknown): Promise<ImportResult> {
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

  // Created together so that the store can save them in a few writes.
  const now = new Date().toISOString()
  const outcomes = await Promise.allSettled(
    accepted.map(([name, hash]) =>
      store.createUser({
        username: name,
        password: { alg: 'sha256-legacy', hash: hash.toLowerCase() },
        createdAt: now,
        updatedAt: now
      })
    )
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
