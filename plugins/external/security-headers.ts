// Browser security headers (helmet's set, our CSP and HSTS, a deny-all Permissions-Policy) on
// every response. They depend on nothing in the request, so helmet runs once at start and each
// request copies the result: @fastify/helmet built a new helmet middleware per request (CSP
// parsed again each time), about 5 % of the CPU of a chat connection.
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isUpgrade } from '../../lib/transport/upgrade.js'

/** Deny-all for powerful browser features the chat page never uses. */
export const PERMISSIONS_POLICY = [
  'accelerometer', 'autoplay', 'browsing-topics', 'camera', 'display-capture', 'encrypted-media',
  'fullscreen', 'geolocation', 'gyroscope', 'hid', 'idle-detection', 'magnetometer', 'microphone', 'midi',
  'payment', 'picture-in-picture', 'publickey-credentials-get', 'screen-wake-lock', 'serial', 'usb',
  'xr-spatial-tracking'
].map((feature) => `${feature}=()`).join(', ')

export const HELMET_OPTIONS: HelmetOptions = {
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
      formAction: ["'self'"]
    }
  }
}

/** The headers helmet sets with these options (it reads nothing from the request). */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()]
  }
  let failed: unknown
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => void (failed = err))
  if (failed) throw failed
  return headers
}

async function securityHeadersPlugin(fastify: FastifyInstance) {
  const headers = Object.freeze({ ...helmetHeaders(HELMET_OPTIONS), 'permissions-policy': PERMISSIONS_POLICY })
  // Sync hooks: no promise per request. A WebSocket upgrade that is accepted is answered by ws
  // with a 101 that never carries these (setting them cost 4 % of a connect's CPU in the
  // benchmark's profile), so an upgrade gets them only when it is answered over HTTP (refused):
  // onSend runs for that answer. Everything else gets them first, so routes can override them.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isUpgrade(request.raw)) reply.headers(headers)
    done()
  })
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (isUpgrade(request.raw)) reply.headers(headers)
    done(null, payload)
  })
}

export default fp(securityHeadersPlugin, { name: 'security-headers' })
