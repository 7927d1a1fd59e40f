// Membership: which of this node's sockets are in which room, over the room state port (a seat per
// user, taken atomically against the cap); rooms created (joined only once durable), swept when
// unused, capped and closed by the operator.
import { LOBBY } from '../protocol/protocol.js'
import { encodeError, encodeLeft } from '../protocol/server-frames.js'
import { then } from '../../shared/ports.js'
import { type AdminRefusal, type RoomOwner, type RoomStateError, type Seat } from './ports.js'
import { addRoom, memberOf, type Member, type Room, type RoomClient, type RoomCore } from './room-core.js'
import type { JoinReplay } from './join-replay.js'
import type { Pipeline } from './pipeline.js'
import type { PresenceFeed } from './presence.js'

export type RoomError = RoomStateError | 'not_in_room'

export interface RoomInfo {
  name: string
  online: number
  cap: number
}

/** A room as the operator sees it (`parley rooms list`). */
export interface RoomDetail extends RoomInfo {
  site?: string
  creator?: string
  /** A message was ever written in it. */
  used: boolean
}

export interface MembershipDeps {
  feed: PresenceFeed
  replay: JoinReplay
  pipeline: () => Pipeline
  /** A registry write failed (the creation waiting for it is refused with `not_stored`). */
  onRegistryError?: (err: unknown) => void
}

const roomNotStored = (room: string) => encodeError('not_stored', { room, message: 'The room could not be stored; create it again.' })

export function createMembership(core: RoomCore, deps: MembershipDeps) {
  const { state, store, rooms, byClient, clock } = core
  const { feed, replay } = deps
  /** Rooms created and not durable yet (see Room.waiting). */
  const creating = new Set<Room>()
  /** Creations whose registry write is still running (drain() waits for them). */
  const registering = new Set<Promise<void>>()

  // The seat is taken: the socket is a member, `joined` (and any replay) goes out, the others hear of a first tab.
  function seated(client: RoomClient, room: Room, seat: Seat, since: number | undefined): RoomError | undefined {
    if (seat === 'room_full' || seat === 'no_such_room') return seat
    const joinSeq = store.lastSeq(room.name)
    const member: Member = { client, joinSeq, sentSeq: joinSeq, replays: 0, presenceGen: 0 }
    room.members.add(member)
    let memberships = byClient.get(client)
    if (!memberships) byClient.set(client, (memberships = new Map()))
    memberships.set(room.name, member)
    if (seat === 'first') feed.announce(room, client.user, true)
    replay.sendJoined(client, room, member, since)
    return undefined
  }

  function join(client: RoomClient, name: string, since?: number): RoomError | undefined {
    const room = rooms.get(name)
    if (!room) return 'no_such_room'
    if (room.waiting) {
      // Answered once the room is durable (settle()); nothing to replay in a room that new.
      if (!room.waiting.includes(client)) room.waiting.push(client)
      return undefined
    }
    const existing = memberOf(core, client, name)
    if (existing) {
      replay.sendJoined(client, room, existing, since)
      return undefined
    }
    const seat = state.takeSeat(name, client.user, clock())
    if (!(seat instanceof Promise)) return seated(client, room, seat, since)
    // A shared room state answers later: a refusal then goes out as an `error` frame.
    seat.then(
      (taken) => {
        const error = seated(client, room, taken, since)
        if (error) client.send(encodeError(error, { room: name }))
      },
      () => client.send(encodeError('not_stored', { room: name }))
    )
    return undefined
  }

  function removeMember(client: RoomClient, room: Room, member: Member) {
    room.members.delete(member)
    const memberships = byClient.get(client)
    memberships?.delete(room.name)
    if (memberships?.size === 0) byClient.delete(client)
    const released = then(state.releaseSeat(room.name, client.user, clock()), (last) => {
      if (!last) return
      room.typing.delete(client.user)
      feed.announce(room, client.user, false)
    })
    // A shared state that failed: its adapter frees the seat (a node's seats expire with the node).
    if (released instanceof Promise) released.catch(() => {})
  }

  // A new room's log is written: once its record is durable too (the creator's quota must survive
  // a restart), the waiting sockets join.
  function created(room: Room, stored: boolean) {
    if (!stored) return settle(room, false)
    const persisted = state.persist()
    if (!(persisted instanceof Promise)) return settle(room, true)
    const done = persisted.then(
      () => settle(room, true),
      (err) => {
        deps.onRegistryError?.(err)
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
      void state.remove(room.name)
      store.drop(room.name).catch(() => {})
      for (const client of waiting) client.send(roomNotStored(room.name))
      return
    }
    // Joins past the cap waited too: they are refused now, as they would have been at once.
    for (const client of waiting) {
      const error = join(client, room.name)
      if (error) client.send(encodeError(error, { room: room.name }))
    }
  }

  // The room, its history and its record go (the caller persists the room state).
  function removeRoom(room: Room) {
    rooms.delete(room.name)
    feed.forget(room)
    void state.remove(room.name)
    store.drop(room.name).catch(() => {})
  }

  // The room is recorded: its log goes out with the next group commit, the creator's join waits for it.
  function begin(client: RoomClient, name: string, cap: number): undefined {
    const room = addRoom(core, name, 0)
    store.create(name, cap)
    room.waiting = [client]
    creating.add(room)
    deps.pipeline().create(room, client)
    return undefined
  }

  function list(): RoomInfo[] {
    const infos: RoomInfo[] = []
    for (const entry of state.entries()) {
      if (rooms.get(entry.name)?.waiting) continue
      infos.push({ name: entry.name, online: core.presence.online(entry.name), cap: entry.cap })
    }
    return infos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  return {
    join,
    created,
    list,
    registering,
    create(client: RoomClient, name: string, cap = core.maxUsers, owner?: RoomOwner): RoomError | undefined {
      if (rooms.has(name)) return 'room_exists'
      const refused = state.create(name, cap, owner, clock())
      if (!(refused instanceof Promise)) return refused ?? begin(client, name, cap)
      // A shared room state answers later: a refusal then goes out as an `error` frame.
      refused.then(
        (error) => (error ? client.send(encodeError(error, { room: name })) : begin(client, name, cap)),
        () => client.send(roomNotStored(name))
      )
      return undefined
    },
    leave(client: RoomClient, name: string): RoomError | undefined {
      const room = rooms.get(name)
      const member = memberOf(core, client, name)
      if (!room || !member) return 'not_in_room'
      removeMember(client, room, member)
      client.send(encodeLeft(name))
      return undefined
    },
    disconnect(client: RoomClient) {
      for (const room of creating) if (room.waiting!.includes(client)) room.waiting = room.waiting!.filter((c) => c !== client)
      const memberships = byClient.get(client)
      if (!memberships) return
      for (const [name, member] of [...memberships]) removeMember(client, rooms.get(name)!, member)
      byClient.delete(client)
    },
    sweep(now = clock()): string[] {
      const gone = state.expired(now).filter((name) => !rooms.get(name)?.waiting)
      for (const name of gone) removeRoom(rooms.get(name)!)
      if (gone.length > 0) {
        const persisted = state.persist()
        if (persisted instanceof Promise) persisted.catch((err) => deps.onRegistryError?.(err))
      }
      return gone
    },
    setCap(name: string, cap: number): AdminRefusal | undefined {
      if (rooms.get(name)?.waiting) return 'no_such_room'
      return state.setCap(name, cap)
    },
    closeRoom(name: string): AdminRefusal | undefined {
      const room = rooms.get(name)
      const entry = state.get(name)
      if (!room || !entry || room.waiting) return 'no_such_room'
      if (name === LOBBY || entry.site !== undefined) return 'kept'
      const left = encodeLeft(name, true)
      for (const member of room.members) {
        const memberships = byClient.get(member.client)
        memberships?.delete(name)
        if (memberships?.size === 0) byClient.delete(member.client)
        member.client.send(left)
      }
      room.members.clear()
      removeRoom(room)
      return undefined
    },
    details(): RoomDetail[] {
      return list().map((info) => {
        const entry = state.get(info.name)!
        return {
          ...info,
          ...(entry.site !== undefined ? { site: entry.site } : {}),
          ...(entry.creator !== undefined ? { creator: entry.creator } : {}),
          used: entry.used
        }
      })
    }
  }
}

export type Membership = ReturnType<typeof createMembership>
