// Rooms: the room hub over the chat ports (plugins/app/adapters.ts chooses them: the history, the
// room state, presence and bus, the registry) and the TTL sweep of unused rooms.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CID_WINDOW, createRoomHub, type RoomHub } from '../../lib/chat/rooms/room-hub.js'

declare module 'fastify' {
  interface FastifyInstance {
    roomHub: RoomHub
  }
}

/** How often unused rooms are looked for: a quarter of the TTL, between 50 ms and a minute. */
export const sweepInterval = (ttlMs: number) => Math.max(50, Math.min(60_000, Math.floor(ttlMs / 4)))

async function roomsPlugin(fastify: FastifyInstance) {
  const { historyLimit, roomMaxUsers, maxRooms, roomTtlMs, roomUnusedTtlMs, presenceFlushMs, memberListMax, onlineCountMs, maxBufferedBytes } = fastify.config
  const log = fastify.log.child({ plugin: 'rooms' })
  const hub = createRoomHub({
    store: fastify.history,
    ports: fastify.roomPorts,
    onRegistryError: (err) => log.error({ err }, 'the room registry could not be written'),
    maxUsers: roomMaxUsers,
    maxRooms,
    ttlMs: roomTtlMs,
    presenceFlushMs,
    memberListMax,
    onlineCountMs,
    // Only what the history keeps can be read back after a restart: the live window is no larger.
    cidWindow: Math.min(CID_WINDOW, historyLimit),
    // `joined` and `history` pages always fit the socket's output bound (lib/chat/gateway/chat-socket.ts).
    maxPageBytes: Math.floor(maxBufferedBytes / 4),
    onLost: (room, count) => log.error({ room, count }, 'messages could not be stored and were not delivered')
  })
  fastify.decorate('roomHub', hub)

  const timer = setInterval(() => {
    const gone = hub.sweep()
    if (gone.length > 0) log.info({ rooms: gone }, 'unused rooms removed')
  }, sweepInterval(Math.min(roomTtlMs, roomUnusedTtlMs))).unref()
  // Before the adapters' close (onClose runs newest first): messages accepted before the close are
  // made durable (and delivered to whoever is left), then the store closes.
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    hub.close()
    await hub.drain()
  })
}

export default fp(roomsPlugin, { name: 'rooms', dependencies: ['config', 'adapters'] })
