// What the room hub's parts (membership, pipeline, presence, join-replay) share: this node's side
// of each room (its sockets, seq, recent cids, presence batching), the ports, and the history.
import type { HistoryStore } from '../history/ports.js'
import type { FrameSource } from '../gateway/bounded-output.js'
import type { PresenceEvent } from './presence.js'
import type { MessageBus, PresencePort, RoomStatePort } from './ports.js'

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

/** One socket in one room. */
export interface Member {
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

/** This node's side of a room (its cap, owners and seats are the room state port's). */
export interface Room {
  name: string
  /** This node's sockets in it. */
  members: Set<Member>
  /** Last seq handed out (durable or not). */
  nextSeq: number
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

export interface RoomCore {
  readonly store: HistoryStore
  readonly state: RoomStatePort
  readonly presence: PresencePort
  readonly bus: MessageBus
  readonly clock: () => number
  /** ROOM_MAX_USERS: the default and the largest cap. */
  readonly maxUsers: number
  readonly rooms: Map<string, Room>
  readonly byClient: Map<RoomClient, Map<string, Member>>
}

export function createRoomCore(deps: Omit<RoomCore, 'rooms' | 'byClient'>): RoomCore {
  return { ...deps, rooms: new Map(), byClient: new Map() }
}

/** This node's side of a room, registered in the core. */
export function addRoom(core: RoomCore, name: string, lastSeq: number): Room {
  const room: Room = {
    name,
    members: new Set(),
    nextSeq: lastSeq,
    typing: new Map(),
    cids: new Map(),
    presenceGen: 0,
    presenceAt: -Infinity,
    presenceQueue: [],
    large: false,
    toldOnline: 0,
    toldLarge: false
  }
  core.rooms.set(name, room)
  return room
}

export const memberOf = (core: RoomCore, client: RoomClient, name: string): Member | undefined => core.byClient.get(client)?.get(name)

/** To every member but the user's own tabs; one encoded buffer for all. */
export function sendToOthers(room: Room, user: string, data: Buffer): void {
  for (const member of room.members) if (member.client.user !== user) member.client.send(data)
}
