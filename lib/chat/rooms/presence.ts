// Presence: what a room's sockets on this node hear of joins, leaves and typing. Joins and leaves are
// batched per room (PRESENCE_FLUSH_MS); a large room (MEMBER_LIST_MAX) tells counts, not names.
import { MEMBERS_PAGE } from '../../../schemas/room-frames.js'
import { TYPING_INTERVAL_MS } from '../protocol/protocol.js'
import { encodeMembers, encodeOnline, encodePresence, encodeTyping } from '../protocol/server-frames.js'
import { sendToOthers, type Room, type RoomCore } from './room-core.js'

/** Schedules one room's presence flush; a fake in tests. The default is an unref'd setTimeout. */
export interface PresenceTimer {
  set(flush: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export const realTimer: PresenceTimer = {
  set: (flush, ms) => setTimeout(flush, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

/** A join or leave waiting for the room's presence flush. */
export interface PresenceEvent {
  user: string
  join: boolean
  /** The room's presence count after this event. */
  gen: number
  /** Encoded at the flush, once for every recipient. */
  data?: Buffer
}

/** The events of a queue (from index `from`) that change something: each user's last, when its count there is odd. */
export function netPresence(events: PresenceEvent[], from: number): PresenceEvent[] {
  const last = new Map<string, { event: PresenceEvent; odd: boolean }>()
  for (let i = from; i < events.length; i++) {
    const event = events[i]!
    last.set(event.user, { event, odd: !last.get(event.user)?.odd })
  }
  const net: PresenceEvent[] = []
  for (const { event, odd } of last.values()) if (odd) net.push(event)
  return net.sort((a, b) => a.gen - b.gen)
}

export interface PresenceFeedOptions {
  /** PRESENCE_FLUSH_MS (0: every event at once). */
  presenceFlushMs: number
  /** MEMBER_LIST_MAX: a room with more users is large; listed again at half of it. */
  memberListMax: number
  /** ONLINE_COUNT_MS: a large room's count goes out at most this often. */
  onlineCountMs: number
  timer: PresenceTimer
}

/** What this node's sockets in a room hear of joins, leaves and typing. */
export interface PresenceFeed {
  /** A user's first tab in or last tab out of the room (its seat already taken or given back). */
  announce(room: Room, user: string, join: boolean): void
  /** Passes `typing` on to the others in the room, at most once per TYPING_INTERVAL_MS per user. */
  typing(room: Room, user: string, now: number): void
  /** A `members` answer: the whole list of a listed room, a page of a large one's sorted names from `offset`. */
  membersPage(room: Room, offset: number): Buffer
  /** The room is gone: its flush timer goes. */
  forget(room: Room): void
  /** Stops every timer; presence still queued is dropped, later presence goes out at once. */
  close(): void
}

export function createPresenceFeed(core: RoomCore, opts: PresenceFeedOptions): PresenceFeed {
  const { presence, clock } = core
  const { memberListMax, timer } = opts
  let { presenceFlushMs, onlineCountMs } = opts

  const presenceFrame = (room: Room, user: string, join: boolean) => encodePresence(room.name, user, join, presence.online(room.name))

  // A join or leave (a user's first tab in, last tab out): to the others at once when the room sent
  // no presence for PRESENCE_FLUSH_MS, else queued for the room's one flush at the end of that
  // interval, so a burst of n joins costs each member one write instead of n.
  function announce(room: Room, user: string, join: boolean) {
    const gen = ++room.presenceGen
    const now = clock()
    room.sorted = undefined
    const size = presence.online(room.name)
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
    const online = presence.online(room.name)
    if (room.large) {
      if (room.toldLarge && online === room.toldOnline) return
      room.toldLarge = true
      room.toldOnline = online
      const data = encodeOnline(room.name, online, true)
      for (const member of room.members) member.client.send(data)
      return
    }
    room.toldLarge = false
    room.toldOnline = online
    const data = membersPage(room, 0)
    for (const member of room.members) {
      member.presenceGen = room.presenceGen
      member.client.send(data)
    }
  }

  function membersPage(room: Room, offset: number): Buffer {
    const online = presence.online(room.name)
    if (!room.large) return encodeMembers({ room: room.name, online, large: false, offset: 0, users: [...presence.users(room.name)], more: false })
    const sorted = (room.sorted ??= [...presence.users(room.name)].sort())
    const users = sorted.slice(offset, offset + MEMBERS_PAGE)
    return encodeMembers({ room: room.name, online, large: true, offset, users, more: offset + users.length < sorted.length })
  }

  function forget(room: Room) {
    if (room.presenceFlush !== undefined) timer.clear(room.presenceFlush)
    room.presenceFlush = undefined
  }

  return {
    announce,
    membersPage,
    forget,
    typing(room, user, now) {
      const last = room.typing.get(user)
      if (last !== undefined && now - last < TYPING_INTERVAL_MS) return
      room.typing.set(user, now)
      sendToOthers(room, user, encodeTyping(room.name, user))
    },
    close() {
      // Leaves after this (sockets closed later) go out at once: no timer outlives the hub.
      presenceFlushMs = 0
      onlineCountMs = 0
      for (const room of core.rooms.values()) {
        forget(room)
        room.presenceQueue = []
      }
    }
  }
}
