// The chat hub, wired to sessions: an ended session's sockets are closed with the right code.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createMemoryHub, type ChatHub } from '../../lib/chat/gateway/chat-hub.js'
import { CLOSE } from '../../lib/chat/protocol/protocol.js'
import type { EndReason } from '../../lib/sessions/ports.js'

declare module 'fastify' {
  interface FastifyInstance {
    chatHub: ChatHub
  }
}

const CLOSE_FOR: Record<EndReason, [number, string]> = {
  idle: [CLOSE.idle.code, CLOSE.idle.reason],
  logout: [CLOSE.logout.code, CLOSE.logout.reason],
  revoked: [CLOSE.logout.code, CLOSE.logout.reason],
  expired: [CLOSE.sessionExpired.code, CLOSE.sessionExpired.reason]
}

async function chatHubPlugin(fastify: FastifyInstance) {
  const hub = createMemoryHub()
  fastify.decorate('chatHub', hub)
  fastify.sessions.onEnd((session, reason) => hub.closeSession(session.id, ...CLOSE_FOR[reason]))
  // Sockets are closed with 1001 in the websocket plugin's preClose, before the listener stops.
}

export default fp(chatHubPlugin, { name: 'chat-hub', dependencies: ['auth'] })
