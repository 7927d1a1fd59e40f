// The one place where each port gets its adapter: the local ones today (memory and files); the
// cluster issue adds `config.redisUrl ? createRedisX(config, redis) : createLocalX(config)` here.
// Every port is decorated on the app by its name; the other plugins and the routes take it from there.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createLocalAccounts, type AccountsPorts } from '../../lib/accounts/local.js'
import { createLocalChat, type ChatPorts } from '../../lib/chat/local.js'
import { createLocalEmbed, type EmbedPorts } from '../../lib/embed/local.js'
import { createLocalSessions, type SessionsPorts } from '../../lib/sessions/local.js'
import type { Adapters } from '../../lib/shared/ports.js'

/** Every port of the app, by decorator name. */
export interface AppPorts extends AccountsPorts, SessionsPorts, EmbedPorts, ChatPorts {}

declare module 'fastify' {
  interface FastifyInstance extends AppPorts {}
}

async function adaptersPlugin(fastify: FastifyInstance) {
  const { config } = fastify
  const built: Adapters<object>[] = []
  // Released newest first in onClose, also when a later one fails to open.
  fastify.addHook('onClose', async () => {
    for (const domain of built.toReversed()) {
      await domain.close().catch((err) => fastify.log.error({ err }, 'could not release an adapter at close'))
    }
  })
  const use = <P extends object>(domain: Adapters<P>): P => {
    built.push(domain)
    return domain.ports
  }
  const ports: AppPorts = {
    ...use(await createLocalAccounts(config)),
    ...use(await createLocalSessions(config)),
    ...use(createLocalEmbed(config)),
    ...use(await createLocalChat(config, fastify.log.child({ plugin: 'history' })))
  }
  for (const [name, port] of Object.entries(ports)) fastify.decorate(name, port)
}

export default fp(adaptersPlugin, { name: 'adapters', dependencies: ['config'] })
