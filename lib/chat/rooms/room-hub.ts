// Rooms: membership with caps, presence, typing, and messages that are broadcast only once durable.
// The hub composes its parts (membership.ts, pipeline.ts, presence.ts, join-replay.ts) over the
// rooms domain's ports (ports.ts: room state, presence, message bus; local adapters in ./local/)
// and the history port; its interface stays synchronous for the socket's frame handlers.
import type { HistoryStore } from '../history/ports.js'
import { createIdGenerator, type IdGenerator } from './message-id.js'
import { createPresenceFeed, realTimer, type PresenceTimer } from './presence.js'
import { createJoinReplay } from './join-replay.js'
import { createPipeline, type Pipeline } from './pipeline.js'
import { createMembership, type RoomDetail, type RoomError, type RoomInfo } from './membership.js'
import { addRoom, createRoomCore, memberOf, type RoomClient } from './room-core.js'
import { createLocalRoomPorts } from './local/index.js'
import type { AdminRefusal, RoomOwner, RoomPorts } from './ports.js'
import type { RoomRegistry } from './room-registry.js'
import type { SiteRoom } from '../../shared/config.js'

export type { PresenceTimer }
export type { RoomClient } from './room-core.js'
export type { RoomDetail, RoomError, RoomInfo } from './membership.js'
export type { AdminRefusal, RoomOwner } from './ports.js'
export { messageFrame } from '../protocol/server-frames.js'

/** The most seqs per room whose client message ids are remembered, to drop resends (see cidWindow). */
export const CID_WINDOW = 1000

export interface RoomHub {
  /** Joins (or, already a member, resumes): sends `joined`, then any replay; `presence` to the others. */
  join(client: RoomClient, room: string, since?: number): RoomError | undefined
  /**
   * Creates a room with a cap (default: the largest) and joins it once the room is durable: `joined`
   * comes after the group commit that wrote it (joins meanwhile wait with it), or `not_stored` with
   * the room when that write failed (the room is gone again).
   */
  create(client: RoomClient, room: string, cap?: number, owner?: RoomOwner): RoomError | undefined
  /** Leaves a room: sends `left`; `presence` to the others when it was the user's last tab there. */
  leave(client: RoomClient, room: string): RoomError | undefined
  /** A socket went away: it leaves every room, silently. */
  disconnect(client: RoomClient): void
  isMember(client: RoomClient, room: string): boolean
  /** Accepts a message (stamped `now`, default the hub's clock): it is broadcast, in seq order, once durable. A repeated cid is dropped. */
  post(client: RoomClient, room: string, text: string, cid?: string, now?: number): RoomError | undefined
  /** Passes `typing` on to the others in the room, at most once per TYPING_INTERVAL_MS per user. */
  typing(client: RoomClient, room: string, now?: number): RoomError | undefined
  /** Sends `members`: the whole list of a listed room, or a page of a large one's names from `offset`. */
  members(client: RoomClient, room: string, offset: number): RoomError | undefined
  /** Sends a `history` page: messages with seq < before, newest last. */
  history(client: RoomClient, room: string, before: number, limit: number): RoomError | undefined
  /** Sends the `rooms` list. */
  list(client: RoomClient): void
  rooms(): RoomInfo[]
  /**
   * Removes rooms (not the lobby, not a site room) that nobody is in and nobody used for the TTL,
   * or, never written in, for the unused TTL; returns their names.
   */
  sweep(now?: number): string[]
  /** Operator: a room's cap from now on (members over it stay; nobody new enters until below). */
  setCap(room: string, cap: number): AdminRefusal | undefined
  /** Operator: removes a room and its history; its members get `left` with `reason: "closed"`. */
  closeRoom(room: string): AdminRefusal | undefined
  /** Every room with its owner, for the operator. */
  details(): RoomDetail[]
  /** Resolves once every message accepted so far is durable and broadcast. */
  drain(): Promise<void>
  /** Stops the presence timers; presence still queued is dropped (everyone is being disconnected), later presence is sent at once. */
  close(): void
}

export interface RoomHubOptions {
  store: HistoryStore
  /** ROOM_MAX_USERS: the default and the largest cap. */
  maxUsers: number
  /** MAX_ROOMS, the lobby included. */
  maxRooms: number
  /** ROOM_TTL_MS */
  ttlMs: number
  clock?: () => number
  ids?: IdGenerator
  /** Told about messages that could not be made durable (they are dropped; senders get `not_stored`). */
  onLost?: (room: string, count: number) => void
  /**
   * A resent cid is recognised while its message is among the room's last this many seqs, live and
   * after a restart (read back from the history, so at most HISTORY_LIMIT). Default CID_WINDOW.
   */
  cidWindow?: number
  /**
   * PRESENCE_FLUSH_MS: a room's presence goes out at once when it sent none this long, else queued
   * and sent together when the interval ends. 0 (the default here): every event at once.
   */
  presenceFlushMs?: number
  /**
   * MEMBER_LIST_MAX: a room with more users is large (no member list in `joined`, counts instead
   * of `presence`), listed again at half of it. Default: never large.
   */
  memberListMax?: number
  /** ONLINE_COUNT_MS: a large room's `online` count goes out at most this often (default 5000). */
  onlineCountMs?: number
  presenceTimer?: PresenceTimer
  /**
   * The room state, presence and message bus (createLocalRoomPorts over the store's rooms and the
   * registry). Without them the hub makes local ones from the options below.
   */
  ports?: RoomPorts
  /** Creators, site owners and operator caps (DATA_DIR/rooms.json); without it nobody is counted. */
  registry?: RoomRegistry
  /** ROOM_UNUSED_TTL_MS: a room never written in is swept once empty this long (default: ROOM_TTL_MS). */
  unusedTtlMs?: number
  /** EMBED_ROOMS: made at start if missing, never swept, their cap from here (unless an operator set one). */
  siteRooms?: SiteRoom[]
  /** A registry write failed (the creation waiting for it is refused with `not_stored`). */
  onRegistryError?: (err: unknown) => void
  /**
   * The most bytes of messages one `joined` or `history` frame carries (fewer, the newest, then):
   * a quarter of MAX_BUFFERED_BYTES, so such a frame always fits the socket's bound. Default: no limit.
   */
  maxPageBytes?: number
}

export function createRoomHub(opts: RoomHubOptions): RoomHub {
  const { store, maxUsers } = opts
  const clock = opts.clock ?? Date.now
  const cidWindow = opts.cidWindow ?? CID_WINDOW
  const ports = opts.ports ?? createLocalRoomPorts({ ...opts, rooms: store.rooms, clock })
  const core = createRoomCore({ store, ...ports, clock, maxUsers })
  const feed = createPresenceFeed(core, {
    presenceFlushMs: opts.presenceFlushMs ?? 0,
    memberListMax: opts.memberListMax ?? Infinity,
    onlineCountMs: opts.onlineCountMs ?? 5000,
    timer: opts.presenceTimer ?? realTimer
  })
  const replay = createJoinReplay(core, opts.maxPageBytes ?? Infinity)
  let pipeline: Pipeline | undefined
  const membership = createMembership(core, { feed, replay, pipeline: () => pipeline!, onRegistryError: opts.onRegistryError })
  pipeline = createPipeline(core, {
    ids: opts.ids ?? createIdGenerator(clock, store.lastId || undefined),
    cidWindow,
    onLost: opts.onLost,
    onCreated: membership.created
  })

  // This node's side of every room; resends of messages stored before a restart are still recognised.
  for (const stored of store.rooms) {
    const room = addRoom(core, stored.name, stored.lastSeq)
    const cids = stored.cids ?? store.recent(room.name, cidWindow)
    if (cids instanceof Promise) throw new Error('the history store must give the stored cids at open')
    for (const record of cids) {
      if (record.cid !== undefined && record.seq > stored.lastSeq - cidWindow) pipeline.remember(room, record)
    }
    // Read once: the pipeline's own map holds them from here.
    stored.cids = undefined
  }
  // Rooms the state holds without a log (a new lobby, site rooms) get one.
  for (const entry of ports.state.entries()) {
    if (core.rooms.has(entry.name)) continue
    const room = addRoom(core, entry.name, 0)
    store.create(entry.name, entry.cap)
    pipeline.started(room)
  }

  const hub: RoomHub = {
    join: membership.join,
    create: membership.create,
    leave: membership.leave,
    disconnect: membership.disconnect,
    isMember: (client, name) => memberOf(core, client, name) !== undefined,
    post(client, name, text, cid, now = clock()) {
      const room = core.rooms.get(name)
      if (!room || !memberOf(core, client, name)) return 'not_in_room'
      pipeline!.post(client, room, text, cid, now)
      return undefined
    },
    typing(client, name, now = clock()) {
      const room = core.rooms.get(name)
      if (!room || !memberOf(core, client, name)) return 'not_in_room'
      feed.typing(room, client.user, now)
      return undefined
    },
    members(client, name, offset) {
      const room = core.rooms.get(name)
      if (!room || !memberOf(core, client, name)) return 'not_in_room'
      replay.answer(client, feed.membersPage(room, offset))
      return undefined
    },
    history(client, name, before, limit) {
      if (!core.rooms.has(name) || !memberOf(core, client, name)) return 'not_in_room'
      replay.history(client, name, before, limit)
      return undefined
    },
    list: (client) => replay.list(client, membership.list()),
    rooms: membership.list,
    sweep: membership.sweep,
    setCap: membership.setCap,
    closeRoom: membership.closeRoom,
    details: membership.details,
    async drain() {
      // A creation waiting for the registry commits its log once it is recorded: settle both until neither is left.
      for (;;) {
        await pipeline!.settled()
        if (membership.registering.size === 0) break
        await Promise.all(membership.registering)
      }
    },
    close: feed.close
  }
  return hub
}
