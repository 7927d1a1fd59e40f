// The rooms domain's shared state behind ports: what several nodes would share (rooms, caps, owners,
// seats, who is online, the messages of a room) as interfaces a Redis implementation can fill.
// The local adapters (./local/) answer synchronously; the hub awaits only a promise it really got,
// so a single node allocates nothing per message or per recipient for them.
//
// Writes that must be atomic over every node answer `Awaitable` (a value or a promise, lib/shared/ports.ts). Reads on hot
// paths (a room's cap and online count, its users) answer plain values: a node answers them from
// its own view, which a Redis adapter keeps current from its subscription.

import type { Awaitable } from '../../shared/ports.js'

/** Why the room state refused a join or a creation. */
export type RoomStateError = 'room_full' | 'no_such_room' | 'room_exists' | 'too_many_rooms' | 'room_quota' | 'invalid'

/** Why an operator's change was refused: no such room, or a room the server itself keeps (the lobby, a site room). */
export type AdminRefusal = 'no_such_room' | 'kept' | 'invalid'

/** A join's seat: the user's first tab in the room (announce it), one more tab, or a refusal. */
export type Seat = 'first' | 'again' | 'room_full' | 'no_such_room'

/** Who creates a room: the account, and its address key (ROOMS_PER_USER, ROOMS_PER_IP). */
export interface RoomOwner {
  user: string
  address: string
}

/** A room as every node sees it. */
export interface RoomEntry {
  readonly name: string
  /** Users it holds at most (a user in several tabs counts once). */
  readonly cap: number
  /** The embedding site that owns it (EMBED_ROOMS): never swept, never created by a visitor. */
  readonly site: string | undefined
  readonly creator: string | undefined
  /** A message was ever accepted in it. */
  readonly used: boolean
}

/**
 * Rooms, their caps and owners, and their seats. A seat is taken in one operation with the check
 * that there is one (concurrent joins on any node never overshoot a cap); a user's tabs share a seat.
 */
export interface RoomStatePort {
  /** Atomically: the room exists and the user holds a seat in it already, or a free seat is taken. */
  takeSeat(room: string, user: string, now: number): Awaitable<Seat>
  /** One tab gives its seat back; true when it was the user's last tab there (the user left). */
  releaseSeat(room: string, user: string, now: number): Awaitable<boolean>
  /** A message was accepted in the room at `now` (it is used: the longer TTL applies). */
  touch(room: string, now: number): void
  /**
   * Atomically: the name is free, the cap within 2..ROOM_MAX_USERS, the owner within its quotas
   * and the server below MAX_ROOMS; then the room and its creator are recorded.
   */
  create(room: string, cap: number, owner: RoomOwner | undefined, now: number): Awaitable<RoomStateError | undefined>
  /** Makes the records changed so far durable (a creator's quota must survive a restart). */
  persist(): Awaitable<void>
  /** Removes a room and its record (its history is the history port's). */
  remove(room: string): Awaitable<void>
  /** Operator: the room's cap from now on (members over it stay). */
  setCap(room: string, cap: number): AdminRefusal | undefined
  get(room: string): RoomEntry | undefined
  /** Every room, in no particular order. */
  entries(): Iterable<RoomEntry>
  /**
   * Rooms nobody is in, that are neither the lobby nor a site room, unused since the TTL (or, never
   * written in, the unused TTL) before `now`: the sweep removes them.
   */
  expired(now: number): string[]
}

/** Who is online in a room: each user once, however many sockets (on however many nodes) it has there. */
export interface PresencePort {
  online(room: string): number
  users(room: string): Iterable<string>
  has(room: string, user: string): boolean
}

/** This node's delivery of a room's message: to its own sockets in the room, in seq order. */
export type DeliverLocal = (room: string, seq: number, data: Buffer) => void

/** The messages of a room, to every node holding sockets in it, each encoded once. */
export interface MessageBus {
  /** Sends one durable message (encoded once) to every node with members in the room, in seq order per room. */
  publish(room: string, seq: number, data: Buffer): Awaitable<void>
  /** This node's delivery; set once, by the room hub. */
  subscribe(deliver: DeliverLocal): void
}

/** The rooms domain's ports, as the plugin's adapters choose them. */
export interface RoomPorts {
  state: RoomStatePort
  presence: PresencePort
  bus: MessageBus
}
