// Rooms: membership with caps, presence, typing, and messages that are broadcast only once durable.
// In process today; a Redis-backed hub can implement the same interface for cluster mode.
import type { HistoryRecord, HistoryStore } from '../history/history-store.js'
import { createIdGenerator, type IdGenerator } from './message-id.js'
import { netPresence, realTimer, type PresenceEvent, type PresenceTimer } from './presence.js'
import { MEMBERS_PAGE } from '../../../schemas/room-frames.js'
import type { FrameSource } from '../gateway/bounded-output.js'
import { catchUp, historyPage, once, recentJoined } from './catch-up.js'
import { JOIN_HISTORY, LOBBY, TYPING_INTERVAL_MS } from '../protocol/protocol.js'
import { errorFrame } from '../protocol/error-frame.js'
import type { RoomRegistry } from './room-registry.js'
import type { SiteRoom } from '../../shared/config.js'

export type { PresenceTimer }

/** The most seqs per room whose client message ids are remembered, to drop resends (see cidWindow). */
export const CID_WINDOW = 1000

/** One connected socket, as the hub sees it: no framework or socket types. */
export interface RoomClient {
  readonly user: string
  /** One encoded text frame; the same buffer goes to every recipient of a fan-out. */
  send(data: Buffer): void
  /**
   * A reply the server chose (`joined` and its catch-up, `history`, `members`, `rooms`), pulled
   * as the socket has room; frames sent meanwhile follow it. Without it, sent at once.
   */
  stream?(source: FrameSource): void
}

/** A frame as the bytes of one WebSocket text frame. */
const encode = (frame: object): Buffer => Buffer.from(JSON.stringify(frame))

export type RoomError = 'room_full' | 'no_such_room' | 'room_exists' | 'too_many_rooms' | 'room_quota' | 'not_in_room' | 'invalid'

export interface RoomInfo {
  name: string
  online: number
  cap: number
}

/** Who creates a room: the account, and its address key (ROOMS_PER_USER, ROOMS_PER_IP). */
export interface RoomOwner {
  user: string
  address: string
}

/** Why an operator's change was refused: no such room, or a room the server itself keeps (the lobby, a site room). */
export type AdminRefusal = 'no_such_room' | 'kept' | 'invalid'

/** A room as the operator sees it (`parley rooms list`). */
export interface RoomDetail extends RoomInfo {
  site?: string
  creator?: string
  /** A message was ever written in it. */
  used: boolean
}

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

interface Member {
  client: RoomClient
  /** Messages up to this seq came with `joined` or its replay; later ones come live. */
  joinSeq: number
  /** The last seq sent to it live. */
  sentSeq: number
  /** Catch-ups under way (a `join` with `since`): live messages are not sent, the replay reads them from the store. */
  replays: number
  /** The room's presence count at the join: `members` in `joined` covers the events up to it. */
  presenceGen: number
}


interface Room {
  name: string
  cap: number
  /** The embedding site that owns it (EMBED_ROOMS): never swept, never created by a visitor. */
  site?: string
  members: Set<Member>
  /** Tabs per user: a user counts once towards the cap. */
  users: Map<string, number>
  /** Last seq handed out (durable or not). */
  nextSeq: number
  lastUsed: number
  typing: Map<string, number>
  /** `user \0 cid` -> seq, oldest first. */
  cids: Map<string, number>
  /** Joins and leaves so far (a user's alternate: join, leave, join...). */
  presenceGen: number
  /** When the room last sent presence (at once or in a flush). */
  presenceAt: number
  /** Events since then, oldest first; non-empty only while `presenceFlush` is set. */
  presenceQueue: PresenceEvent[]
  presenceFlush?: unknown
  /** Over MEMBER_LIST_MAX users (until back at half): counts instead of names (docs/protocol.md). */
  large: boolean
  /** What the members of a large room were last told: its count, and that it is large. */
  toldOnline: number
  toldLarge: boolean
  /** Users sorted, for `members` pages of a large room; dropped on any change. */
  sorted?: string[]
  /** Created and not durable yet: the sockets whose join waits for the write (the creator first). */
  waiting?: RoomClient[]
}

// A message (or, without a record, a new room) waiting for the group commit; plain data, no closure per message.
interface Pending {
  room: Room
  record?: HistoryRecord
  sender: RoomClient
}

const NOT_STORED = encode(errorFrame('not_stored'))
const roomNotStored = (room: string) =>
  encode(errorFrame('not_stored', { room, message: 'The room could not be stored; create it again.' }))

export function createRoomHub(opts: RoomHubOptions): RoomHub {
  const { store, maxUsers, maxRooms, ttlMs, registry } = opts
  const unusedTtlMs = opts.unusedTtlMs ?? ttlMs
  /** Creations whose registry write is still running (drain() waits for them). */
  const registering = new Set<Promise<void>>()
  const clock = opts.clock ?? Date.now
  let presenceFlushMs = opts.presenceFlushMs ?? 0
  const memberListMax = opts.memberListMax ?? Infinity
  let onlineCountMs = opts.onlineCountMs ?? 5000
  const timer = opts.presenceTimer ?? realTimer
  const maxPageBytes = opts.maxPageBytes ?? Infinity
  const ids = opts.ids ?? createIdGenerator(clock, store.lastId || undefined)
  const cidWindow = opts.cidWindow ?? CID_WINDOW
  const rooms = new Map<string, Room>()
  const byClient = new Map<RoomClient, Map<string, Member>>()
  let queue: Pending[] = []
  /** Rooms created and not durable yet (see Room.waiting). */
  const creating = new Set<Room>()
  let dirty = false
  let running: Promise<void> | undefined

  const makeRoom = (name: string, cap: number, lastSeq: number, lastUsed: number): Room => {
    const room: Room = {
      name,
      cap,
      members: new Set(),
      users: new Map(),
      nextSeq: lastSeq,
      lastUsed,
      typing: new Map(),
      cids: new Map(),
      presenceGen: 0,
      presenceAt: -Infinity,
      presenceQueue: [],
      large: false,
      toldOnline: 0,
      toldLarge: false
    }
    rooms.set(name, room)
    return room
  }
  for (const stored of store.rooms) {
    const room = makeRoom(stored.name, Math.min(stored.cap, maxUsers), stored.lastSeq, stored.lastUsed)
    if (room.name === LOBBY) room.cap = maxUsers
    // Resends of messages stored before a restart are still recognised: the same window as live.
    const cids = stored.cids ?? store.recent(room.name, cidWindow)
    if (cids instanceof Promise) throw new Error('the history store must give the stored cids at open')
    for (const record of cids) {
      if (record.cid !== undefined && record.seq > stored.lastSeq - cidWindow) rememberCid(room, record)
    }
    // Read once: the hub's own map holds them from here.
    stored.cids = undefined
  }
  if (!rooms.has(LOBBY)) {
    makeRoom(LOBBY, maxUsers, 0, clock())
    store.create(LOBBY, maxUsers)
    schedule()
  }
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
      let room = rooms.get(declared.name)
      if (!room) {
        room = makeRoom(declared.name, cap, 0, clock())
        store.create(declared.name, cap)
        schedule()
      }
      room.site = declared.site
      room.cap = cap
      const record = registry.get(declared.name)
      registry.set(declared.name, { site: declared.site, createdAt: record?.createdAt ?? clock(), ...(record?.cap ? { cap: record.cap } : {}) })
    }
    for (const name of registry.names()) {
      const cap = registry.get(name)!.cap
      if (cap !== undefined) rooms.get(name)!.cap = Math.min(cap, maxUsers)
    }
  }

  // Cids are kept in seq order; those of seqs out of the window go (a resend of them is a new message).
  function rememberCid(room: Room, record: Pick<HistoryRecord, 'seq' | 'user' | 'cid'>) {
    room.cids.set(`${record.user}\0${record.cid}`, record.seq)
    const oldest = record.seq - cidWindow
    for (const [key, seq] of room.cids) {
      if (seq > oldest) break
      room.cids.delete(key)
    }
  }

  // One group commit per turn: everything accepted before it runs shares one write and fsync per log.
  function schedule() {
    dirty = true
    running ??= commitLoop()
  }

  async function commitLoop(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve))
      while (dirty) {
        dirty = false
        const batch = queue
        queue = []
        let failed: string[]
        try {
          failed = await store.sync()
        } catch {
          // A store that rejects (it could not say which logs were written): every sender of this
          // batch hears `not_stored`, and the server keeps running.
          failed = [...new Set(batch.map((p) => p.room.name))]
        }
        deliver(batch, failed)
      }
    } finally {
      running = undefined
    }
  }

  // Broadcasts each durable message as one encoded Buffer (framed once, written once per socket per
  // turn by the bounded output), to the members that did not get it with `joined`.
  function deliver(batch: Pending[], failed: string[]) {
    for (const { room, record, sender } of batch) {
      if (!record) {
        created(room, !failed.includes(room.name))
        continue
      }
      if (failed.length > 0 && failed.includes(room.name)) {
        const key = `${record.user}\0${record.cid}`
        if (record.cid !== undefined && room.cids.get(key) === record.seq) room.cids.delete(key)
        sender.send(NOT_STORED)
        continue
      }
      const data = encode(messageFrame(room.name, record))
      const seq = record.seq
      for (const member of room.members) {
        if (seq <= member.joinSeq || member.replays > 0) continue
        member.client.send(data)
        member.sentSeq = seq
      }
    }
    for (const name of failed) {
      const count = batch.filter((p) => p.room.name === name && p.record).length
      if (count > 0) opts.onLost?.(name, count)
    }
  }

  // A new room's log is written: once its registry record is durable too (the creator's quota
  // must survive a restart), the waiting sockets join.
  function created(room: Room, stored: boolean) {
    if (!stored || !registry) return settle(room, stored)
    const done = registry.flush().then(
      () => settle(room, true),
      (err) => {
        opts.onRegistryError?.(err)
        settle(room, false)
      }
    )
    registering.add(done)
    void done.finally(() => registering.delete(done))
  }

  // The sockets waiting for a new room join, or learn it could not be stored.
  function settle(room: Room, stored: boolean) {
    const waiting = room.waiting ?? []
    room.waiting = undefined
    creating.delete(room)
    if (!stored) {
      rooms.delete(room.name)
      registry?.delete(room.name)
      store.drop(room.name).catch(() => {})
      for (const client of waiting) client.send(roomNotStored(room.name))
      return
    }
    // Joins past the cap waited too: they are refused now, as they would have been at once.
    for (const client of waiting) {
      const error = hub.join(client, room.name)
      if (error) client.send(encode(errorFrame(error, { room: room.name })))
    }
  }

  // To every member but the user's own tabs; one encoded buffer for all.
  const sendToOthers = (room: Room, user: string, data: Buffer) => {
    for (const member of room.members) if (member.client.user !== user) member.client.send(data)
  }

  // `joined` (members as of now), then with `since` the replay up to the room's live edge, as one
  // paced reply: other frames go out behind it (the socket's output keeps the order).
  function sendJoined(client: RoomClient, room: Room, member: Member, since: number | undefined) {
    // `members` below covers every presence event so far: queued ones before it are not its news.
    member.presenceGen = room.presenceGen
    const head = {
      type: 'joined',
      room: room.name,
      cap: room.cap,
      online: room.users.size,
      // A large room's names come in pages on request: the answer stays small whatever its size.
      members: room.large ? [] : [...room.users.keys()],
      ...(room.large ? { large: true } : {})
    }
    const name = room.name
    const toFrame = (record: HistoryRecord) => messageFrame(name, record)
    if (since === undefined) return streamTo(client, recentJoined(store, name, head, member.joinSeq, JOIN_HISTORY, toFrame, maxPageBytes))
    // A resume replays up to the room's live edge, then the member gets live messages again.
    const onLive = (seq: number) => {
      member.replays--
      member.joinSeq = Math.max(member.joinSeq, seq)
      member.sentSeq = Math.max(member.sentSeq, seq)
    }
    member.replays++
    const { joinSeq: upTo, sentSeq: sent } = member
    streamTo(client, catchUp({ store, room: name, toFrame, head, upTo, sent, since, recent: JOIN_HISTORY, maxPageBytes, onLive }))
  }

  // Test clients without a paced output get the whole reply at once.
  function streamTo(client: RoomClient, source: FrameSource) {
    if (client.stream) return client.stream(source)
    for (let next = source(); next !== undefined; next = source()) {
      if (next instanceof Promise) {
        next.then(
          (data) => {
            if (data) client.send(data)
            if (data) streamTo(client, source)
          },
          () => {}
        )
        return
      }
      client.send(next)
    }
  }

  const memberOf = (client: RoomClient, name: string) => byClient.get(client)?.get(name)

  function removeMember(client: RoomClient, room: Room, member: Member) {
    room.members.delete(member)
    const memberships = byClient.get(client)
    memberships?.delete(room.name)
    if (memberships?.size === 0) byClient.delete(client)
    room.lastUsed = clock()
    const tabs = (room.users.get(client.user) ?? 1) - 1
    if (tabs > 0) {
      room.users.set(client.user, tabs)
      return
    }
    room.users.delete(client.user)
    room.typing.delete(client.user)
    presence(room, client.user, false)
  }

  const presenceFrame = (room: Room, user: string, join: boolean) =>
    encode({ type: 'presence', room: room.name, user, event: join ? 'join' : 'leave', online: room.users.size })

  // A join or leave (a user's first tab in, last tab out): to the others at once when the room sent
  // no presence for PRESENCE_FLUSH_MS, else queued for the room's one flush at the end of that
  // interval, so a burst of n joins costs each member one write instead of n.
  function presence(room: Room, user: string, join: boolean) {
    const gen = ++room.presenceGen
    const now = clock()
    room.sorted = undefined
    const size = room.users.size
    if (room.large ? size <= memberListMax / 2 : size > memberListMax) room.large = !room.large
    // A large room (or one switching) tells its members counts and switches, not names: O(1) per join.
    if (room.large || room.toldLarge) return scheduleCount(room, now)
    if (room.presenceFlush === undefined && now - room.presenceAt >= presenceFlushMs) {
      room.presenceAt = now
      sendToOthers(room, user, presenceFrame(room, user, join))
      return
    }
    room.presenceQueue.push({ user, join, gen })
    room.presenceFlush ??= timer.set(() => flushPresence(room), Math.max(0, room.presenceAt + presenceFlushMs - now))
  }

  // Each member gets the events that change what it knows: those after its `joined` (whose
  // `members` already covers the earlier ones), not its own, and of a user who went both in and out
  // (an even number of events) nothing. `online` is the count now in all of them, so the last one
  // leaves the client with the true count. Members that left are no longer in `members`: they get
  // nothing. The frames to one socket go out in one write (the bounded output's WriteBatch).
  function flushPresence(room: Room) {
    room.presenceFlush = undefined
    room.presenceAt = clock()
    if (room.large || room.toldLarge) return flushCount(room)
    const events = room.presenceQueue
    room.presenceQueue = []
    if (events.length === 0 || room.members.size === 0) return
    const first = events[0]!.gen
    const all = netPresence(events, 0)
    for (const member of room.members) {
      const user = member.client.user
      // Queued gens are consecutive (nothing goes out at once while a flush is due): gen g is at g - first.
      const net = member.presenceGen < first ? all : netPresence(events, member.presenceGen - first + 1)
      for (const event of net) {
        if (event.user !== user) member.client.send((event.data ??= presenceFrame(room, event.user, event.join)))
      }
    }
  }

  // A switch (listed <-> large) goes out with the next presence flush, as presence would have;
  // a large room's count changes at most every ONLINE_COUNT_MS.
  function scheduleCount(room: Room, now: number) {
    if (room.presenceFlush !== undefined) return
    const switching = room.large !== room.toldLarge
    const wait = switching ? room.presenceAt + presenceFlushMs - now : room.presenceAt + onlineCountMs - now
    if (wait <= 0) return flushPresence(room)
    room.presenceFlush = timer.set(() => flushPresence(room), wait)
  }

  // To every member, one encoded buffer: a large room's count (and that it is large), or, when it
  // is listed again, the whole list, after which `presence` resumes from here.
  function flushCount(room: Room) {
    room.presenceQueue = []
    const online = room.users.size
    if (room.large) {
      if (room.toldLarge && online === room.toldOnline) return
      room.toldLarge = true
      room.toldOnline = online
      const data = encode({ type: 'online', room: room.name, online, large: true })
      for (const member of room.members) member.client.send(data)
      return
    }
    room.toldLarge = false
    room.toldOnline = online
    const data = encode(membersFrame(room, 0))
    for (const member of room.members) {
      member.presenceGen = room.presenceGen
      member.client.send(data)
    }
  }

  function membersFrame(room: Room, offset: number) {
    const online = room.users.size
    if (!room.large) return { type: 'members', room: room.name, online, large: false, offset: 0, users: [...room.users.keys()], more: false }
    const sorted = (room.sorted ??= [...room.users.keys()].sort())
    const users = sorted.slice(offset, offset + MEMBERS_PAGE)
    return { type: 'members', room: room.name, online, large: true, offset, users, more: offset + users.length < sorted.length }
  }

  const hub: RoomHub = {
    join(client, name, since) {
      const room = rooms.get(name)
      if (!room) return 'no_such_room'
      if (room.waiting) {
        // Answered once the room is durable (created()); nothing to replay in a room that new.
        if (!room.waiting.includes(client)) room.waiting.push(client)
        return undefined
      }
      const existing = memberOf(client, name)
      if (existing) {
        sendJoined(client, room, existing, since)
        return undefined
      }
      const first = !room.users.has(client.user)
      // Checked and taken synchronously: concurrent joins can never overshoot the cap.
      if (first && room.users.size >= room.cap) return 'room_full'
      const joinSeq = store.lastSeq(name)
      const member: Member = { client, joinSeq, sentSeq: joinSeq, replays: 0, presenceGen: 0 }
      room.members.add(member)
      room.users.set(client.user, (room.users.get(client.user) ?? 0) + 1)
      let memberships = byClient.get(client)
      if (!memberships) byClient.set(client, (memberships = new Map()))
      memberships.set(name, member)
      room.lastUsed = clock()
      if (first) presence(room, client.user, true)
      sendJoined(client, room, member, since)
      return undefined
    },
    create(client, name, cap = maxUsers, owner) {
      if (rooms.has(name)) return 'room_exists'
      if (!(Number.isSafeInteger(cap) && cap >= 2 && cap <= maxUsers)) return 'invalid'
      if (owner && registry?.over(owner.user, owner.address)) return 'room_quota'
      if (rooms.size >= maxRooms) return 'too_many_rooms'
      const room = makeRoom(name, cap, 0, clock())
      if (owner && registry) registry.set(name, { creator: owner.user, address: registry.addressOf(owner.address), createdAt: clock() })
      store.create(name, cap)
      room.waiting = [client]
      creating.add(room)
      queue.push({ room, sender: client })
      schedule()
      return undefined
    },
    leave(client, name) {
      const room = rooms.get(name)
      const member = memberOf(client, name)
      if (!room || !member) return 'not_in_room'
      removeMember(client, room, member)
      client.send(encode({ type: 'left', room: name }))
      return undefined
    },
    disconnect(client) {
      for (const room of creating) if (room.waiting!.includes(client)) room.waiting = room.waiting!.filter((c) => c !== client)
      const memberships = byClient.get(client)
      if (!memberships) return
      for (const [name, member] of [...memberships]) removeMember(client, rooms.get(name)!, member)
      byClient.delete(client)
    },
    isMember(client, name) {
      return memberOf(client, name) !== undefined
    },
    post(client, name, text, cid, now = clock()) {
      const room = rooms.get(name)
      if (!room || !memberOf(client, name)) return 'not_in_room'
      const record: HistoryRecord = { seq: room.nextSeq + 1, id: '', user: client.user, text, ts: now }
      if (cid !== undefined) {
        // A resend (after a reconnect) of a message already accepted is neither stored nor broadcast again.
        if (room.cids.has(`${client.user}\0${cid}`)) return undefined
        record.cid = cid
        rememberCid(room, record)
      }
      room.nextSeq = record.seq
      record.id = ids.next()
      room.lastUsed = now
      store.append(name, record)
      queue.push({ room, record, sender: client })
      schedule()
      return undefined
    },
    typing(client, name, now = clock()) {
      const room = rooms.get(name)
      if (!room || !memberOf(client, name)) return 'not_in_room'
      const last = room.typing.get(client.user)
      if (last !== undefined && now - last < TYPING_INTERVAL_MS) return undefined
      room.typing.set(client.user, now)
      sendToOthers(room, client.user, encode({ type: 'typing', room: name, user: client.user }))
      return undefined
    },
    members(client, name, offset) {
      const room = rooms.get(name)
      if (!room || !memberOf(client, name)) return 'not_in_room'
      streamTo(client, once(encode(membersFrame(room, offset))))
      return undefined
    },
    history(client, name, before, limit) {
      if (!rooms.has(name) || !memberOf(client, name)) return 'not_in_room'
      streamTo(client, historyPage(store, name, before, limit, (record) => messageFrame(name, record), maxPageBytes))
      return undefined
    },
    list(client) {
      streamTo(client, once(encode({ type: 'rooms', rooms: hub.rooms() })))
    },
    rooms() {
      return [...rooms.values()]
        .filter((room) => !room.waiting)
        .map((room) => ({ name: room.name, online: room.users.size, cap: room.cap }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    },
    sweep(now = clock()) {
      const gone: string[] = []
      for (const room of rooms.values()) {
        if (room.name === LOBBY || room.site !== undefined || room.waiting || room.users.size > 0) continue
        // A room nobody ever wrote in (seq 0) goes after the shorter unused TTL.
        if (now - room.lastUsed < (room.nextSeq === 0 ? Math.min(unusedTtlMs, ttlMs) : ttlMs)) continue
        removeRoom(room)
        gone.push(room.name)
      }
      if (gone.length > 0) registry?.flush().catch((err) => opts.onRegistryError?.(err))
      return gone
    },
    setCap(name, cap) {
      const room = rooms.get(name)
      if (!room || room.waiting) return 'no_such_room'
      if (!(Number.isSafeInteger(cap) && cap >= 2 && cap <= maxUsers)) return 'invalid'
      room.cap = cap
      if (registry) registry.set(name, { ...(registry.get(name) ?? { createdAt: clock() }), cap })
      return undefined
    },
    closeRoom(name) {
      const room = rooms.get(name)
      if (!room || room.waiting) return 'no_such_room'
      if (room.name === LOBBY || room.site !== undefined) return 'kept'
      const left = encode({ type: 'left', room: name, reason: 'closed' })
      for (const member of room.members) {
        const memberships = byClient.get(member.client)
        memberships?.delete(name)
        if (memberships?.size === 0) byClient.delete(member.client)
        member.client.send(left)
      }
      room.members.clear()
      room.users.clear()
      removeRoom(room)
      return undefined
    },
    details() {
      return hub.rooms().map((info) => {
        const room = rooms.get(info.name)!
        const record = registry?.get(info.name)
        return {
          ...info,
          ...(room.site !== undefined ? { site: room.site } : {}),
          ...(record?.creator !== undefined ? { creator: record.creator } : {}),
          used: room.nextSeq > 0
        }
      })
    },
    async drain() {
      while (running || registering.size > 0) {
        await running
        await Promise.all(registering)
      }
    },
    close() {
      // Leaves after this (sockets closed later) go out at once: no timer outlives the hub.
      presenceFlushMs = 0
      onlineCountMs = 0
      for (const room of rooms.values()) {
        if (room.presenceFlush !== undefined) timer.clear(room.presenceFlush)
        room.presenceFlush = undefined
        room.presenceQueue = []
      }
    }
  }
  // The room, its history and its registry record go (the caller flushes the registry).
  function removeRoom(room: Room) {
    rooms.delete(room.name)
    if (room.presenceFlush !== undefined) timer.clear(room.presenceFlush)
    room.presenceFlush = undefined
    registry?.delete(room.name)
    store.drop(room.name).catch(() => {})
  }

  return hub
}

/** The `message` frame of a stored record: what live delivery, `joined`, replay and `history` all send. */
export function messageFrame(room: string, record: HistoryRecord) {
  const { id, seq, user, text, ts, cid } = record
  return cid === undefined
    ? { type: 'message' as const, id, room, seq, user, text, ts }
    : { type: 'message' as const, id, room, seq, user, text, ts, cid }
}
