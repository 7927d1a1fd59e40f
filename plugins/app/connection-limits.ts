// Connection caps per client address and in total, a rate of new connections per address,
// the per-address cap on chat sockets that /ws checks before upgrading, and `request.addressKey`:
// the one key every per-address limit counts a request under.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Server } from 'node:net'
import type { Socket } from 'node:net'
import { ApiError } from '../../lib/shared/api-error.js'
import { addressKey, createAddressCounter, readOpenFileLimit, totalConnectionCap } from '../../lib/transport/connection-limits.js'
import { createRateLimiter } from '../../lib/shared/rate-limiter.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client address as every per-address limit counts it (addressKey: IPv4 as is, IPv6 by
     * its /64). Limits key on this, never on `request.ip`, so no limit can count per /128.
     */
    readonly addressKey: string
  }
  interface FastifyInstance {
    /**
     * Holds a chat-socket slot for the request's address until its connection closes;
     * false when the address already holds MAX_SOCKETS_PER_IP.
     */
    claimChatSocket(request: FastifyRequest): boolean
  }
}

/** One log line per address and kind of refusal per this window, however many refusals. */
const LOG_EVERY_MS = 60_000

async function connectionLimitsPlugin(fastify: FastifyInstance) {
  const { maxConnectionsPerIp, maxSocketsPerIp, connectionsPerIpPerMin, maxConnections } = fastify.config
  const server = fastify.server as Server
  const openFiles = readOpenFileLimit()
  // Node closes connections beyond this before emitting them ('drop'), so no descriptor is
  // spent on TLS or HTTP for them and accept() never fails for want of descriptors.
  server.maxConnections = totalConnectionCap(maxConnections, openFiles)

  // A getter: computed when a limit asks (most requests never do), from the address TRUST_PROXY chose.
  fastify.decorateRequest('addressKey', {
    getter(this: FastifyRequest) {
      return addressKey(this.ip)
    }
  })

  const connections = createAddressCounter()
  const chatSockets = createAddressCounter()
  const newConnections = createRateLimiter(connectionsPerIpPerMin / 60, { burst: connectionsPerIpPerMin })
  const logGate = createRateLimiter(1000 / LOG_EVERY_MS, { burst: 1 })
  // Open connections that came over the rate, by "address|port" (unique while open) -> ms to wait.
  const overRate = new Map<string, number>()

  const note = (msg: string, address: string, limit: number) => {
    if (logGate.take(`${msg} ${address}`) === 0) fastify.log.warn({ address, limit }, msg)
  }

  // Runs on the raw TCP socket, first, before the TLS layer wraps it: nothing can be said over HTTP yet, so a
  // refused connection is just closed.
  server.prependListener('connection', (socket: Socket) => {
    if (!socket.remoteAddress) return void socket.destroy() // gone already
    const address = addressKey(socket.remoteAddress)
    const retryMs = newConnections.take(address) // every attempt counts, refused ones too
    if (!connections.tryAdd(address, maxConnectionsPerIp)) {
      socket.destroy()
      return note('connection refused: MAX_CONNECTIONS_PER_IP reached', address, maxConnectionsPerIp)
    }
    // Only a connection over the rate needs its key (kept while it is open).
    const key = retryMs > 0 ? `${socket.remoteAddress}|${socket.remotePort}` : undefined
    if (key !== undefined) overRate.set(key, retryMs)
    socket.once('close', () => {
      connections.remove(address)
      if (key !== undefined) overRate.delete(key)
    })
  })
  server.on('drop', () => note('connection refused: MAX_CONNECTIONS reached', 'any', server.maxConnections))

  // Once TLS is up, a connection that came over the rate gets a clear answer and is closed.
  // Sync, and nothing to build while no open connection came over the rate (the usual case):
  // an async hook and its key string cost 2.8 % of a connect's CPU in the benchmark's profile.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (overRate.size === 0) return done()
    const { remoteAddress, remotePort } = request.raw.socket
    const retryMs = overRate.get(`${remoteAddress}|${remotePort}`)
    if (retryMs === undefined) return done()
    const seconds = Math.max(1, Math.ceil(retryMs / 1000))
    note('request refused: CONNECTIONS_PER_IP_PER_MIN exceeded', request.addressKey, connectionsPerIpPerMin)
    reply.header('retry-after', seconds).header('connection', 'close')
    done(new ApiError(429, 'rate_limited', `Too many new connections from this address; try again in ${seconds} s.`))
  })

  const claimed = new WeakSet<object>()
  fastify.decorate('claimChatSocket', (request: FastifyRequest) => {
    const socket = request.raw.socket
    if (claimed.has(socket)) return true
    const address = request.addressKey
    if (!chatSockets.tryAdd(address, maxSocketsPerIp)) {
      note('chat socket refused: MAX_SOCKETS_PER_IP reached', address, maxSocketsPerIp)
      return false
    }
    claimed.add(socket)
    socket.once('close', () => chatSockets.remove(address))
    return true
  })

  const timer = setInterval(() => {
    newConnections.prune()
    logGate.prune()
  }, LOG_EVERY_MS).unref()
  fastify.addHook('onClose', async () => clearInterval(timer))
}

export default fp(connectionLimitsPlugin, { name: 'connection-limits', dependencies: ['config'] })
