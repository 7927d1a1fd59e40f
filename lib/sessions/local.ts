// The sessions port's local adapter: the live sessions in memory, written to DATA_DIR/sessions.json.
import { join } from 'node:path'
import type { Config } from '../shared/config.js'
import type { Adapters } from '../shared/ports.js'
import { openJsonSessionRegistry } from './json-session-registry.js'
import type { SessionRegistry } from './ports.js'

export interface SessionsPorts {
  /** Live sessions and their last activity. */
  sessions: SessionRegistry
}

/** Activity (lastActive) is written at most this often; creations and ends are written at once. */
export const ACTIVITY_FLUSH_MS = 5000

export async function createLocalSessions(config: Config): Promise<Adapters<SessionsPorts>> {
  const sessions = await openJsonSessionRegistry(join(config.dataDir, 'sessions.json'), {
    ttlMs: config.sessionTtlMs,
    flushEveryMs: ACTIVITY_FLUSH_MS,
    idle: { warnMs: config.idleWarnMs, kickMs: config.idleKickMs }
  })
  // Losing the last few seconds of activity (a failed close) only makes idle deadlines after a restart earlier.
  return { ports: { sessions }, close: () => sessions.close() }
}
