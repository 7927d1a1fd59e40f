// Rooms: the room hub over the history store (DATA_DIR/history), their rate limits and the TTL sweep.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openFileHistoryStore } from '../lib/file-history-store.js'
import { createRoomHub, type RoomHub } from '../lib/room-hub.js'
import { createRateLimiter, type RateLimiter } from '../lib/rate-limiter.js'

declare module 'fastify' {
  interface FastifyInstance {
    roomHub: RoomHub
    /** Joins, leaves, `rooms` and `history` requests per user (ROOM_JOINS_PER_MIN). */
    roomJoinLimiter: RateLimiter
    /** Room creation per user (ROOM_CREATES_PER_MIN). */
    roomCreateLimiter: RateLimiter
  }
}

/** A reconnecting client rejoins its rooms at once: this many join frames pass back to back. */
export const JOIN_BURST = 10

/** How often unused rooms are looked for: a quarter of the TTL, between 50 ms and a minute. */
export const sweepInterval = (ttlMs: number) => Math.max(50, Math.min(60_000, Math.floor(ttlMs / 4)))

async function roomsPlugin(fastify: FastifyInstance) {
  const { dataDir, historyLimit, roomMaxUsers, maxRooms, roomTtlMs, roomJoinsPerMin, roomCreatesPerMin, presenceFlushMs, memberListMax, onlineCountMs, maxBufferedBytes } =
    fastify.config
  const log = fastify.log.child({ plugin: 'rooms' })
  const store = await openFileHistoryStore(join(dataDir, 'history'), {
    limit: historyLimit,
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err }, message)
  })
  const hub = createRoomHub({
    store,
    maxUsers: roomMaxUsers,
    maxRooms,
    ttlMs: roomTtlMs,
    presenceFlushMs,
    memberListMax,
    onlineCountMs,
    // `joined` and `history` pages always fit the socket's output bound (routes/chat-socket.ts).
    maxPageBytes: Math.floor(maxBufferedBytes / 4),
    onLost: (room, count) => log.error({ room, count }, 'messages could not be stored and were not delivered')
  })
  const joins = createRateLimiter(roomJoinsPerMin / 60, { burst: Math.min(JOIN_BURST, roomJoinsPerMin) })
  const creates = createRateLimiter(roomCreatesPerMin / 60, { burst: roomCreatesPerMin })
  fastify.decorate('roomHub', hub)
  fastify.decorate('roomJoinLimiter', joins)
  fastify.decorate('roomCreateLimiter', creates)

  const timer = setInterval(() => {
    const gone = hub.sweep()
    if (gone.length > 0) log.info({ rooms: gone }, 'unused rooms removed')
    joins.prune()
    creates.prune()
  }, sweepInterval(roomTtlMs)).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    hub.close()
    // Messages accepted before the close are made durable (and delivered to whoever is left).
    await hub.drain()
    await store.close()
  })
}

export default fp(roomsPlugin, { name: 'rooms', dependencies: ['config'] })
