// Room metadata apart from the history: who created each room and from which address (keyed
// hash), which site owns it, and a cap the operator set. DATA_DIR/rooms.json (mode 0600, written
// whole and atomically); the room state the room quotas, site rooms and the operator's CLI read.
import { createHmac, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../../shared/atomic-file.js'
import { ROOM_NAME_PATTERN } from '../protocol/protocol.js'

export const RoomRecordSchema = Type.Object(
  {
    /** The account that created the room (none: the lobby, a site room, or a room older than the registry). */
    creator: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** HMAC-SHA256 (registry key) of the creator's address key, base64url: counts ROOMS_PER_IP, reveals no address. */
    address: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' })),
    /** The embedding site (EMBED_ROOMS) that owns the room. */
    site: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** The cap an operator set (`parley rooms cap`): wins over the created or configured one. */
    cap: Type.Optional(Type.Integer({ minimum: 2, maximum: 100_000 })),
    createdAt: Type.Integer({ minimum: 0 })
  },
  { additionalProperties: false }
)
export type RoomRecord = Static<typeof RoomRecordSchema>

const FileSchema = Type.Object(
  { version: Type.Literal(1), rooms: Type.Record(Type.String({ pattern: ROOM_NAME_PATTERN.source }), RoomRecordSchema, { additionalProperties: false }) },
  { additionalProperties: false }
)
const checkFile = Compile(FileSchema)

export class RoomRegistryError extends Error {}

/** Which quota a creation would pass, by its setting's name. */
export type RoomQuota = 'ROOMS_PER_USER' | 'ROOMS_PER_IP'

export interface RoomRegistry {
  get(room: string): RoomRecord | undefined
  names(): string[]
  /** Records a room (replacing any record of that name). */
  set(room: string, record: RoomRecord): void
  delete(room: string): void
  /** The quota a new room by `user` from `address` (an address key) would pass, if any. */
  over(user: string, address: string): RoomQuota | undefined
  /** The stored form of an address key. */
  addressOf(address: string): string
  /** Writes what changed so far; resolves once it is durable (later calls coalesce behind it). */
  flush(): Promise<void>
}

export interface RoomRegistryOptions {
  /** ROOMS_PER_USER and ROOMS_PER_IP. */
  perUser: number
  perAddress: number
  clock?: () => number
}

/**
 * Opens DATA_DIR/rooms.json and its HMAC key DATA_DIR/rooms.key (both 0600, made on first use).
 * A record that does not match the schema stops start-up with an error naming the file.
 */
export async function openRoomRegistry(file: string, keyFile: string, opts: RoomRegistryOptions): Promise<RoomRegistry> {
  const key = await loadKey(keyFile)
  await removeStaleTempFiles(file)
  const raw = await readJsonFile(file, (problem) => new RoomRegistryError(`${file} ${problem}`))
  if (raw !== undefined && !checkFile.Check(raw)) {
    const first = [...checkFile.Errors(raw)][0]
    throw new RoomRegistryError(`${file} is not a room registry (${first?.instancePath ?? ''} ${first?.message ?? ''}); move it away to start without it`)
  }
  const rooms = new Map<string, RoomRecord>(Object.entries((raw as Static<typeof FileSchema> | undefined)?.rooms ?? {}))
  const byCreator = new Map<string, number>()
  const byAddress = new Map<string, number>()
  const bump = (map: Map<string, number>, k: string | undefined, by: number) => {
    if (k === undefined) return
    const n = (map.get(k) ?? 0) + by
    if (n > 0) map.set(k, n)
    else map.delete(k)
  }
  const count = (record: RoomRecord, by: number) => {
    bump(byCreator, record.creator, by)
    bump(byAddress, record.address, by)
  }
  for (const record of rooms.values()) count(record, 1)

  let version = 0
  let written = 0
  let chain: Promise<void> = Promise.resolve()
  const serialize = () => JSON.stringify({ version: 1, rooms: Object.fromEntries([...rooms].sort(([a], [b]) => (a < b ? -1 : 1))) }, null, 1)

  const registry: RoomRegistry = {
    get: (room) => rooms.get(room),
    names: () => [...rooms.keys()],
    set(room, record) {
      const old = rooms.get(room)
      if (old) count(old, -1)
      rooms.set(room, record)
      count(record, 1)
      version++
    },
    delete(room) {
      const old = rooms.get(room)
      if (!old) return
      count(old, -1)
      rooms.delete(room)
      version++
    },
    over(user, address) {
      if ((byCreator.get(user) ?? 0) >= opts.perUser) return 'ROOMS_PER_USER'
      if ((byAddress.get(registry.addressOf(address)) ?? 0) >= opts.perAddress) return 'ROOMS_PER_IP'
      return undefined
    },
    addressOf: (address) => createHmac('sha256', key).update(address).digest('base64url').slice(0, 22),
    flush() {
      const want = version
      // One write at a time; a flush already covered by a later write is free.
      chain = chain
        .catch(() => {})
        .then(async () => {
          if (written >= want) return
          const at = version
          await writeFileAtomic(file, serialize())
          written = at
        })
      return chain
    }
  }
  return registry
}

/** The registry's HMAC key: random, made once; without it the stored address hashes are useless. */
async function loadKey(keyFile: string): Promise<Buffer> {
  try {
    const key = await readFile(keyFile)
    if (key.length !== 32) throw new RoomRegistryError(`${keyFile} is not a 32-byte key; move it away to start with a new one`)
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = randomBytes(32)
  await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' })
  return key
}
