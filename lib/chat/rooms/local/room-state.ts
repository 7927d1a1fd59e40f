// The room state and presence of one node, in memory (seats) over the room registry (creators,
// site rooms, operator caps in DATA_DIR/rooms.json): the local adapter of RoomStatePort and
// PresencePort. Every answer is synchronous.
import { LOBBY } from '../../protocol/protocol.js'
import type { SiteRoom } from '../../../shared/config.js'
import type { RoomRegistry } from '../room-registry.js'
import type { AdminRefusal, PresencePort, RoomEntry, RoomOwner, RoomStateError, RoomStatePort, Seat } from '../ports.js'

/** A room found in the history at start. */
export interface KnownRoom {
  name: string
  cap: number
  lastSeq: number
  lastUsed: number
}

export interface LocalRoomStateOptions {
  /** The rooms the history holds (a lobby is made when missing). */
  rooms: KnownRoom[]
  /** ROOM_MAX_USERS: the default and the largest cap. */
  maxUsers: number
  /** MAX_ROOMS, the lobby included. */
  maxRooms: number
  /** ROOM_TTL_MS and ROOM_UNUSED_TTL_MS (default: ROOM_TTL_MS). */
  ttlMs: number
  unusedTtlMs?: number
  registry?: RoomRegistry
  /** EMBED_ROOMS: made if missing, never swept, their cap from here (unless an operator set one). */
  siteRooms?: SiteRoom[]
  clock?: () => number
}

interface Entry extends RoomEntry {
  cap: number
  site: string | undefined
  creator: string | undefined
  /** Tabs per user: a user counts once towards the cap. */
  users: Map<string, number>
  lastUsed: number
  /** A message was ever accepted in it. */
  used: boolean
}

export type LocalRoomState = RoomStatePort & PresencePort

const NO_USERS: ReadonlyMap<string, number> = new Map()

export function createLocalRoomState(opts: LocalRoomStateOptions): LocalRoomState {
  const { maxUsers, maxRooms, ttlMs, registry } = opts
  const clock = opts.clock ?? Date.now
  const unusedTtlMs = Math.min(opts.unusedTtlMs ?? ttlMs, ttlMs)
  const rooms = new Map<string, Entry>()
  const add = (name: string, cap: number, lastUsed: number, used: boolean): Entry => {
    const entry: Entry = { name, cap, site: undefined, creator: undefined, users: new Map(), lastUsed, used }
    rooms.set(name, entry)
    return entry
  }
  const validCap = (cap: number) => Number.isSafeInteger(cap) && cap >= 2 && cap <= maxUsers

  for (const known of opts.rooms) add(known.name, known.name === LOBBY ? maxUsers : Math.min(known.cap, maxUsers), known.lastUsed, known.lastSeq > 0)
  if (!rooms.has(LOBBY)) add(LOBBY, maxUsers, clock(), false)
  if (registry) adoptRegistry(registry, opts.siteRooms ?? [])

  // The registry follows the rooms there are: records of vanished rooms go, site rooms are made
  // (or taken over from whoever made a room of that name before it was declared), and an
  // operator's cap applies. The caller flushes it.
  function adoptRegistry(registry: RoomRegistry, siteRooms: SiteRoom[]) {
    for (const name of registry.names()) if (!rooms.has(name)) registry.delete(name)
    for (const name of registry.names()) {
      // A site room no longer declared is an ordinary room from now on (swept when unused).
      const { site, ...rest } = registry.get(name)!
      if (site !== undefined && !siteRooms.some((r) => r.name === name)) registry.set(name, rest)
    }
    for (const declared of siteRooms) {
      const cap = declared.cap ?? maxUsers
      const entry = rooms.get(declared.name) ?? add(declared.name, cap, clock(), false)
      entry.site = declared.site
      entry.cap = cap
      const record = registry.get(declared.name)
      registry.set(declared.name, { site: declared.site, createdAt: record?.createdAt ?? clock(), ...(record?.cap ? { cap: record.cap } : {}) })
    }
    for (const name of registry.names()) {
      const record = registry.get(name)!
      const entry = rooms.get(name)!
      if (record.cap !== undefined) entry.cap = Math.min(record.cap, maxUsers)
      entry.creator = record.creator
    }
  }

  return {
    takeSeat(name, user, now): Seat {
      const entry = rooms.get(name)
      if (!entry) return 'no_such_room'
      const tabs = entry.users.get(user)
      // Checked and taken in one step: concurrent joins can never overshoot the cap.
      if (tabs === undefined && entry.users.size >= entry.cap) return 'room_full'
      entry.users.set(user, (tabs ?? 0) + 1)
      entry.lastUsed = now
      return tabs === undefined ? 'first' : 'again'
    },
    releaseSeat(name, user, now) {
      const entry = rooms.get(name)
      if (!entry) return false
      entry.lastUsed = now
      const tabs = (entry.users.get(user) ?? 1) - 1
      if (tabs > 0) {
        entry.users.set(user, tabs)
        return false
      }
      entry.users.delete(user)
      return true
    },
    touch(name, now) {
      const entry = rooms.get(name)
      if (!entry) return
      entry.lastUsed = now
      entry.used = true
    },
    create(name, cap, owner: RoomOwner | undefined, now): RoomStateError | undefined {
      if (rooms.has(name)) return 'room_exists'
      if (!validCap(cap)) return 'invalid'
      if (owner && registry?.over(owner.user, owner.address)) return 'room_quota'
      if (rooms.size >= maxRooms) return 'too_many_rooms'
      const entry = add(name, cap, now, false)
      if (owner && registry) {
        entry.creator = owner.user
        registry.set(name, { creator: owner.user, address: registry.addressOf(owner.address), createdAt: now })
      }
      return undefined
    },
    persist: () => (registry ? registry.flush() : undefined),
    remove(name) {
      rooms.delete(name)
      registry?.delete(name)
    },
    setCap(name, cap): AdminRefusal | undefined {
      const entry = rooms.get(name)
      if (!entry) return 'no_such_room'
      if (!validCap(cap)) return 'invalid'
      entry.cap = cap
      if (registry) registry.set(name, { ...(registry.get(name) ?? { createdAt: clock() }), cap })
      return undefined
    },
    get: (name) => rooms.get(name),
    entries: () => rooms.values(),
    expired(now) {
      const gone: string[] = []
      for (const entry of rooms.values()) {
        if (entry.name === LOBBY || entry.site !== undefined || entry.users.size > 0) continue
        // A room nobody ever wrote in goes after the shorter unused TTL.
        if (now - entry.lastUsed >= (entry.used ? ttlMs : unusedTtlMs)) gone.push(entry.name)
      }
      return gone
    },
    online: (name) => rooms.get(name)?.users.size ?? 0,
    users: (name) => (rooms.get(name)?.users ?? NO_USERS).keys(),
    has: (name, user) => rooms.get(name)?.users.has(user) ?? false
  }
}
