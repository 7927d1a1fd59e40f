// The chat ports' local adapters: room history in DATA_DIR/history (one log per room), the room
// registry in DATA_DIR/rooms.json (creators, site rooms, operator caps), and room state, presence,
// the message bus and the chat rate limits in this process's memory.
import { join } from 'node:path'
import type { Config } from '../shared/config.js'
import type { Adapters, RateLimit } from '../shared/ports.js'
import { createRateLimiter, jitterTolerance } from '../shared/rate-limiter.js'
import { openFileHistoryStore } from './history/file-history-store.js'
import type { HistoryStore } from './history/ports.js'
import { createLocalRoomPorts } from './rooms/local/index.js'
import type { RoomPorts } from './rooms/ports.js'
import { openRoomRegistry, type RoomRegistry } from './rooms/room-registry.js'

export interface ChatPorts {
  /**
   * Chat messages per user (MESSAGE_RATE_PER_SEC, shared by all of a user's sockets). The local
   * limiter answers a number, so the message handler makes no promise per message; a shared one
   * answers a promise the handler waits for.
   */
  messageLimiter: RateLimit
  /** Joins, leaves, `rooms`, `history` and `members` requests per user (ROOM_JOINS_PER_MIN). */
  roomJoinLimiter: RateLimit
  /** Room creation per user (ROOM_CREATES_PER_MIN). */
  roomCreateLimiter: RateLimit
  /** Each room's messages, durable before anyone sees them. */
  history: HistoryStore
  /** Who created each room, which site owns it, the operator's caps. */
  roomRegistry: RoomRegistry
  /** Room state (seats, caps, owners), presence and the message bus. */
  roomPorts: RoomPorts
}

/** Where the history store reports a log it had to repair or could not write. */
export interface ChatAdapterLog {
  warn(message: string): void
  error(details: { err: unknown }, message: string): void
}

/** A reconnecting client rejoins its rooms at once: this many join frames pass back to back. */
export const JOIN_BURST = 10
const PRUNE_EVERY_MS = 60_000

export async function createLocalChat(config: Config, log: ChatAdapterLog): Promise<Adapters<ChatPorts>> {
  const { dataDir, roomMaxUsers: maxUsers, maxRooms, roomTtlMs: ttlMs, roomUnusedTtlMs: unusedTtlMs } = config
  // A steady sender just below the rate is never refused for network jitter; the long-run
  // rate still never exceeds it, and two messages back to back are still refused.
  const rate = config.messageRatePerSec
  const messageLimiter = createRateLimiter(rate, { toleranceMs: jitterTolerance(rate) })
  const roomJoinLimiter = createRateLimiter(config.roomJoinsPerMin / 60, { burst: Math.min(JOIN_BURST, config.roomJoinsPerMin) })
  const roomCreateLimiter = createRateLimiter(config.roomCreatesPerMin / 60, { burst: config.roomCreatesPerMin })
  const history = await openFileHistoryStore(join(dataDir, 'history'), {
    limit: config.historyLimit,
    memoryBytes: config.historyMemoryMb * 1024 * 1024,
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err }, message)
  })
  const roomRegistry = await openRoomRegistry(join(dataDir, 'rooms.json'), join(dataDir, 'rooms.key'), {
    perUser: config.roomsPerUser,
    perAddress: config.roomsPerIp
  })
  const roomPorts = createLocalRoomPorts({ rooms: history.rooms, registry: roomRegistry, siteRooms: config.embedRooms, maxUsers, maxRooms, ttlMs, unusedTtlMs })
  // Site rooms made or taken over, vanished rooms forgotten: on disk before anyone connects.
  await roomRegistry.flush()
  const timer = setInterval(() => {
    messageLimiter.prune()
    roomJoinLimiter.prune()
    roomCreateLimiter.prune()
  }, PRUNE_EVERY_MS).unref()
  return {
    ports: { messageLimiter, roomJoinLimiter, roomCreateLimiter, history, roomRegistry, roomPorts },
    // After the rooms plugin's own close (onClose runs newest first): its hub has drained into the store.
    async close() {
      clearInterval(timer)
      await history.close()
    }
  }
}
