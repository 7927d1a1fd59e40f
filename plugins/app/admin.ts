// The operator's admin channel (DATA_DIR/admin.sock): the `parley` CLI's way into the running
// server. Only the server's own user can open it (mode 0600); removed on close.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openAdminChannel, SOCKET_PATH_MAX } from '../../lib/admin/admin-channel.js'
import { createRoomAdmin } from '../../lib/chat/rooms/room-admin.js'

export const ADMIN_SOCKET = 'admin.sock'

async function adminPlugin(fastify: FastifyInstance) {
  const { config, roomHub, roomRegistry } = fastify
  const log = fastify.log.child({ plugin: 'admin' })
  const path = join(config.dataDir, ADMIN_SOCKET)
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) {
    // The server runs without it (the CLI then says the server is not running); a shorter DATA_DIR fixes it.
    log.warn({ path }, 'DATA_DIR is too deep for a Unix socket: no admin channel (parley rooms cap/close will not reach this server)')
    return
  }
  const handle = createRoomAdmin({
    hub: roomHub,
    registry: roomRegistry,
    maxUsers: config.roomMaxUsers,
    onChange: (change) => log.info(change, 'operator changed a room')
  })
  const channel = await openAdminChannel(path, handle)
  fastify.addHook('onClose', async () => channel.close())
}

export default fp(adminPlugin, { name: 'admin', dependencies: ['config', 'rooms'] })
