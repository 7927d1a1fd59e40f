// The frames the page speaks (docs/protocol.md and the rooms protocol): types only, no runtime code.
// Built on the server's shared types; the room frames are declared here until schemas/frames.ts has them.
import type { Limits as BaseLimits } from '../schemas/frames.ts'

export interface Limits extends BaseLimits {
  /** What the idle reaper counts as activity (rooms protocol); absent means `input`. */
  idleActivity?: 'input' | 'message'
}

export interface ChatMessage {
  type: 'message'
  id: string
  room: string
  seq: number
  user: string
  text: string
  ts: number
  cid?: string
}

export type ClientFrame =
  | { type: 'message'; room: string; text: string; cid: string }
  | { type: 'join'; room: string; since?: number }
  | { type: 'leave'; room: string }
  | { type: 'create'; room: string; cap?: number }
  | { type: 'rooms' }
  | { type: 'history'; room: string; before: number; limit?: number }
  | { type: 'typing'; room: string }
  | { type: 'activity' }

export interface RoomInfo {
  name: string
  online: number
  cap: number
}

export type ServerFrame =
  | { type: 'welcome'; user: string; room: string; limits: Limits }
  | {
      type: 'joined'
      room: string
      cap: number
      members: string[]
      lastSeq: number
      messages: ChatMessage[]
      reset?: boolean
    }
  | { type: 'left'; room: string }
  | ChatMessage
  | { type: 'presence'; room: string; user: string; event: 'join' | 'leave'; online: number }
  | { type: 'typing'; room: string; user: string }
  | { type: 'rooms'; rooms: RoomInfo[] }
  | { type: 'history'; room: string; messages: ChatMessage[]; more: boolean }
  | { type: 'idle_warning'; kickInMs: number }
  | { type: 'error'; code: string; message: string; room?: string; retryInMs?: number }

export type ErrorFrame = Extract<ServerFrame, { type: 'error' }>
export type JoinedFrame = Extract<ServerFrame, { type: 'joined' }>

/** Room names of the rooms protocol. */
export const ROOM_NAME = /^[a-z0-9-]{1,32}$/
export const LOBBY = 'lobby'
