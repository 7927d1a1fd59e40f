// Cross-site request refusal for every state-changing route (POST, PUT, PATCH, DELETE), app-wide:
// a foreign `Origin`, or no `Origin` with `Sec-Fetch-Site: cross-site`/`same-site`, gets 403
// forbidden_origin before any route runs. SameSite=Strict keeps other sites' cookies out; this
// also stops login CSRF and keeps the API to the pages we serve or allow (ALLOWED_ORIGINS).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../lib/shared/api-error.js'
import { isCrossSiteWrite } from '../../lib/transport/origin.js'

async function csrfPlugin(fastify: FastifyInstance) {
  const { config } = fastify
  // Sync: no promise for every request (each chat connection's upgrade included).
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (isCrossSiteWrite(request.method, request.headers, request.headers.host, config)) {
      return done(new ApiError(403, 'forbidden_origin', 'This origin may not use the API.'))
    }
    done()
  })
}

export default fp(csrfPlugin, { name: 'csrf', dependencies: ['config'] })
