// The idle reaper: the idle clock belongs to the session, sockets or not. It warns sessions that
// went quiet, then ends them (closing their sockets). Only `touchSession` counts as activity.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createIdleTracker, type IdleTracker } from '../../lib/sessions/idle-tracker.js'
import { encodeIdleWarning } from '../../lib/chat/protocol/server-frames.js'

declare module 'fastify' {
  interface FastifyInstance {
    idleTracker: IdleTracker
    /** Activity of a session (login, an accepted message, an `activity` frame) at `now` (default: the clock): restarts its idle clock. */
    touchSession(sessionId: string, now?: number): void
  }
}

/** One timer for everyone, ticking often enough to be precise to a fraction of a second. */
export function tickInterval(warnMs: number, kickMs: number): number {
  return Math.max(5, Math.min(250, Math.floor(Math.min(warnMs, kickMs - warnMs) / 4)))
}

async function idleReaperPlugin(fastify: FastifyInstance) {
  const { idleWarnMs, idleKickMs } = fastify.config
  const { sessions } = fastify
  const tracker = createIdleTracker({ warnMs: idleWarnMs, kickMs: idleKickMs })
  fastify.decorate('idleTracker', tracker)
  fastify.decorate('touchSession', (sessionId: string, now = Date.now()) => {
    tracker.touch(sessionId, now)
    sessions.touch(sessionId, now)
  })
  sessions.onEnd((session) => tracker.remove(session.id))

  // After a restart each session's idle clock resumes from its persisted last activity
  // (oldest first: the tracker keeps keys in order of activity); the long-quiet end now.
  const now = Date.now()
  for (const session of (await sessions.list()).sort((a, b) => a.lastActive - b.lastActive)) {
    if (now - session.lastActive >= idleKickMs) await sessions.end(session.id, 'idle')
    else tracker.touch(session.id, session.lastActive)
  }

  const sweep = async () => {
    const due = tracker.sweep()
    for (const { key, kickInMs } of due.warn) fastify.chatHub.sendToSession(key, encodeIdleWarning(kickInMs))
    await Promise.all(due.kick.map((key) => sessions.end(key, 'idle'))) // one group-committed write
    await sessions.endExpired()
  }
  const timer = setInterval(() => {
    sweep().catch((err) => fastify.log.error({ err }, 'idle sweep failed'))
  }, tickInterval(idleWarnMs, idleKickMs)).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(idleReaperPlugin, { name: 'idle-reaper', dependencies: ['config', 'auth', 'chat-hub'] })
