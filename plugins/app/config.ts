// Makes the validated config (lib/shared/config.ts) available as fastify.config to every plugin.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../lib/shared/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

async function configPlugin(fastify: FastifyInstance, opts: { config: Config }) {
  if (!opts.config) throw new Error('config plugin: the `config` option is required')
  fastify.decorate('config', opts.config)
}

export default fp(configPlugin, { name: 'config' })
