// Opens the user store (DATA_DIR/users.json) and closes it after pending writes on shutdown.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openJsonUserStore } from '../../lib/accounts/json-user-store.js'
import type { UserStore } from '../../lib/accounts/ports.js'

declare module 'fastify' {
  interface FastifyInstance {
    userStore: UserStore
  }
}

async function userStorePlugin(fastify: FastifyInstance) {
  const store = await openJsonUserStore(join(fastify.config.dataDir, 'users.json'))
  fastify.decorate('userStore', store)
  fastify.addHook('onClose', () => store.close())
}

export default fp(userStorePlugin, { name: 'user-store', dependencies: ['config'] })
