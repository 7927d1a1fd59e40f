// What an operator may do to rooms while the server runs (`parley rooms ...` over the admin
// channel): list them, change a cap, close one. Plain values in and out; the registry write is
// durable before the answer, so a cap survives a restart once the CLI says it is set.
import { Compile } from 'typebox/compile'
import { AdminRequestSchema, type AdminResponse } from '../../../schemas/admin.js'
import type { RoomHub } from './room-hub.js'
import type { RoomRegistry } from './room-registry.js'

const checkRequest = Compile(AdminRequestSchema)

export interface RoomAdminDeps {
  hub: RoomHub
  registry: RoomRegistry
  /** ROOM_MAX_USERS: the largest cap. */
  maxUsers: number
  /** Told about every change made (for the log). */
  onChange?: (change: { op: string; room: string; cap?: number }) => void
}

export function createRoomAdmin({ hub, registry, maxUsers, onChange }: RoomAdminDeps) {
  return async function handle(request: unknown): Promise<AdminResponse> {
    if (!checkRequest.Check(request)) return { ok: false, code: 'invalid', message: 'not a valid admin request' }
    switch (request.op) {
      case 'rooms.list':
        return { ok: true, rooms: hub.details() }
      case 'rooms.cap': {
        const { room, cap } = request
        if (cap < 2 || cap > maxUsers) return { ok: false, code: 'refused', message: `a cap must be 2..${maxUsers} (ROOM_MAX_USERS)` }
        const error = hub.setCap(room, cap)
        if (error) return refusal(error, room)
        await registry.flush()
        onChange?.({ op: 'cap', room, cap })
        return { ok: true }
      }
      case 'rooms.close': {
        const { room } = request
        const error = hub.closeRoom(room)
        if (error) return refusal(error, room)
        await registry.flush()
        onChange?.({ op: 'close', room })
        return { ok: true }
      }
    }
  }
}

function refusal(error: 'no_such_room' | 'kept' | 'invalid', room: string): AdminResponse {
  if (error === 'no_such_room') return { ok: false, code: 'no_such_room', message: `there is no room ${room}` }
  if (error === 'kept') return { ok: false, code: 'refused', message: `${room} is kept by the server (the lobby, or a site room: remove it from EMBED_ROOMS)` }
  return { ok: false, code: 'refused', message: 'out of range' }
}
