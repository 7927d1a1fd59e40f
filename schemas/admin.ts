// The local admin channel's requests (DATA_DIR/admin.sock, one JSON line each way): what the
// `parley` CLI may ask a running server. Validated before anything is acted on.
import Type, { type Static } from 'typebox'
import { RoomNameSchema } from './room-frames.js'

const strict = { additionalProperties: false } as const

export const AdminRequestSchema = Type.Union([
  Type.Object({ op: Type.Literal('rooms.list') }, strict),
  Type.Object({ op: Type.Literal('rooms.cap'), room: RoomNameSchema, cap: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, strict),
  Type.Object({ op: Type.Literal('rooms.close'), room: RoomNameSchema }, strict)
])
export type AdminRequest = Static<typeof AdminRequestSchema>

/** `refused`: the server will not (the lobby, a site room, a cap out of range); `no_such_room`; `invalid`: not a request. */
export type AdminErrorCode = 'invalid' | 'no_such_room' | 'refused' | 'internal'

export interface RoomRow {
  name: string
  online: number
  cap: number
  site?: string
  creator?: string
  used: boolean
}

export type AdminResponse = { ok: true; rooms?: RoomRow[] } | { ok: false; code: AdminErrorCode; message: string }

/** A request line may not be longer (bytes, newline included). */
export const ADMIN_LINE_MAX = 4096
