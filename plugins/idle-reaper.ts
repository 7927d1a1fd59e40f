// The idle reaper: warns sessions that went quiet, then disconnects them and ends the session.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createIdleTracker, type IdleTracker } from '../lib/idle-tracker.js'

declare module 'fastify' {
  interface FastifyInstance {
    idleTracker: IdleTracker
  }
}

/** One timer for everyone, ticking often enough to be precise to a fraction of a second. */
export function tickInterval(warnMs: number, kickMs: number): number {
  return Math.max(5, Math.min(250, Math.floor(Math.min(warnMs, kickMs - warnMs) / 4)))
}

async function idleReaperPlugin(fastify: FastifyInstance) {
  const { idleWarnMs, idleKickMs } = fastify.config
  const tracker = createIdleTracker({ warnMs: idleWarnMs, kickMs: idleKickMs })
  fastify.decorate('idleTracker', tracker)

  const sweep = async () => {
    const due = tracker.sweep()
    for (const { key, kickInMs } of due.warn) fastify.chatHub.sendToSession(key, { type: 'idle_warning', kickInMs })
    for (const key of due.kick) await fastify.sessions.end(key, 'idle')
    await fastify.sessions.endExpired()
  }
  const timer = setInterval(() => {
    sweep().catch((err) => fastify.log.error({ err }, 'idle sweep failed'))
  }, tickInterval(idleWarnMs, idleKickMs)).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(idleReaperPlugin, { name: 'idle-reaper', dependencies: ['config', 'auth', 'chat-hub'] })
