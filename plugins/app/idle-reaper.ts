// The idle reaper: the idle clock belongs to the session, sockets or not, and the session registry
// keeps it. It warns sessions that went quiet, then ends them (closing their sockets). Only
// `touchSession` counts as activity.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { encodeIdleWarning } from '../../lib/chat/protocol/server-frames.js'

declare module 'fastify' {
  interface FastifyInstance {
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
  const touchFailed = (err: unknown) => fastify.log.error({ err }, 'could not record session activity')
  fastify.decorate('touchSession', (sessionId: string, now = Date.now()) => {
    // A local registry answers no promise: nothing is allocated per message.
    const touched = sessions.touch(sessionId, now)
    if (touched) touched.catch(touchFailed)
  })

  const sweep = async () => {
    const due = await sessions.sweepIdle()
    for (const { key, kickInMs } of due.warn) fastify.chatHub.sendToSession(key, encodeIdleWarning(kickInMs))
    await Promise.all(due.kick.map((key) => sessions.end(key, 'idle'))) // one group-committed write
    await sessions.endExpired()
  }
  // After a restart each session's idle clock resumes from its persisted last activity: the
  // long-quiet end now, before any request is served.
  await sweep()
  const timer = setInterval(() => {
    sweep().catch((err) => fastify.log.error({ err }, 'idle sweep failed'))
  }, tickInterval(idleWarnMs, idleKickMs)).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(idleReaperPlugin, { name: 'idle-reaper', dependencies: ['config', 'adapters', 'auth', 'chat-hub'] })
