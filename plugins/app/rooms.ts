// Rooms: the room hub over the history store (DATA_DIR/history) and the rooms' ports (local adapters
// over the room registry, DATA_DIR/rooms.json: creators, site rooms, operator caps), their rate limits and the TTL sweeps.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { CID_WINDOW, createRoomHub, type RoomHub } from '../../lib/chat/rooms/room-hub.js'
import { createLocalRoomPorts } from '../../lib/chat/rooms/local/index.js'
import { createRateLimiter, type RateLimiter } from '../../lib/shared/rate-limiter.js'
import { openRoomRegistry, type RoomRegistry } from '../../lib/chat/rooms/room-registry.js'

declare module 'fastify' {
  interface FastifyInstance {
    roomHub: RoomHub
    /** Who created each room, which site owns it, the operator's caps. */
    roomRegistry: RoomRegistry
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
  const { dataDir, historyLimit, historyMemoryMb, roomMaxUsers, maxRooms, roomTtlMs, roomJoinsPerMin, roomCreatesPerMin, presenceFlushMs, memberListMax, onlineCountMs, maxBufferedBytes } =
    fastify.config
  const { roomsPerUser, roomsPerIp, roomUnusedTtlMs, embedRooms } = fastify.config
  const log = fastify.log.child({ plugin: 'rooms' })
  const store = await openFileHistoryStore(join(dataDir, 'history'), {
    limit: historyLimit,
    memoryBytes: historyMemoryMb * 1024 * 1024,
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err }, message)
  })
  const registry = await openRoomRegistry(join(dataDir, 'rooms.json'), join(dataDir, 'rooms.key'), {
    perUser: roomsPerUser,
    perAddress: roomsPerIp
  })
  // The rooms' shared state on this node (the lead folds this choice into plugins/app/adapters.ts).
  const ports = createLocalRoomPorts({
    rooms: store.rooms,
    registry,
    siteRooms: embedRooms,
    maxUsers: roomMaxUsers,
    maxRooms,
    ttlMs: roomTtlMs,
    unusedTtlMs: roomUnusedTtlMs
  })
  const hub = createRoomHub({
    store,
    ports,
    onRegistryError: (err) => log.error({ err }, 'the room registry could not be written'),
    maxUsers: roomMaxUsers,
    maxRooms,
    ttlMs: roomTtlMs,
    presenceFlushMs,
    memberListMax,
    onlineCountMs,
    // Only what the history keeps can be read back after a restart: the live window is no larger.
    cidWindow: Math.min(CID_WINDOW, historyLimit),
    // `joined` and `history` pages always fit the socket's output bound (routes/chat-socket.ts).
    maxPageBytes: Math.floor(maxBufferedBytes / 4),
    onLost: (room, count) => log.error({ room, count }, 'messages could not be stored and were not delivered')
  })
  const joins = createRateLimiter(roomJoinsPerMin / 60, { burst: Math.min(JOIN_BURST, roomJoinsPerMin) })
  const creates = createRateLimiter(roomCreatesPerMin / 60, { burst: roomCreatesPerMin })
  // Site rooms made or taken over, vanished rooms forgotten: on disk before anyone connects.
  await registry.flush()
  fastify.decorate('roomHub', hub)
  fastify.decorate('roomRegistry', registry)
  fastify.decorate('roomJoinLimiter', joins)
  fastify.decorate('roomCreateLimiter', creates)

  const timer = setInterval(() => {
    const gone = hub.sweep()
    if (gone.length > 0) log.info({ rooms: gone }, 'unused rooms removed')
    joins.prune()
    creates.prune()
  }, sweepInterval(Math.min(roomTtlMs, roomUnusedTtlMs))).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    hub.close()
    // Messages accepted before the close are made durable (and delivered to whoever is left).
    await hub.drain()
    await store.close()
  })
}

export default fp(roomsPlugin, { name: 'rooms', dependencies: ['config'] })
