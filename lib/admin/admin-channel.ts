// The local admin channel: a Unix socket (mode 0600: only the server's own user can connect)
// carrying one JSON request line and one JSON answer line per connection. Plain node:net, no
// Fastify; a stale socket left by a killed server is replaced, a live one stops start-up.
import net from 'node:net'
import { chmod, lstat, unlink } from 'node:fs/promises'
import { ADMIN_LINE_MAX, type AdminResponse } from '../../schemas/admin.js'

/** A connection that has not sent its line by then is closed. */
export const ADMIN_TIMEOUT_MS = 5000
/** Unix socket paths are limited to 107 bytes on Linux (104 elsewhere). */
export const SOCKET_PATH_MAX = 103

export class AdminChannelError extends Error {}

export interface AdminChannel {
  close(): Promise<void>
}

export async function openAdminChannel(path: string, handle: (request: unknown) => Promise<AdminResponse>): Promise<AdminChannel> {
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) throw new AdminChannelError(`${path} is too long for a Unix socket (at most ${SOCKET_PATH_MAX} bytes)`)
  await removeStale(path)
  const server = net.createServer((socket) => serve(socket, handle))
  // Made with no permission for group or others from its first moment (the umask is restored at
  // once: bind happens inside listen()); chmod again in case the platform ignored it.
  const umask = process.umask(0o177)
  try {
    server.listen(path)
  } finally {
    process.umask(umask)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  await chmod(path, 0o600)
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

// A socket file nobody answers on is what a killed server leaves; anything else is not ours to remove.
async function removeStale(path: string) {
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (!stat) return
  if (!stat.isSocket()) throw new AdminChannelError(`${path} exists and is not a socket; move it away`)
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path)
    probe.once('connect', () => (probe.destroy(), resolve(true)))
    probe.once('error', () => resolve(false))
  })
  if (live) throw new AdminChannelError(`${path} answers: another Parley server is running on this DATA_DIR`)
  await unlink(path)
}

function serve(socket: net.Socket, handle: (request: unknown) => Promise<AdminResponse>) {
  let buffered = ''
  socket.setEncoding('utf8')
  socket.setTimeout(ADMIN_TIMEOUT_MS, () => socket.destroy())
  socket.on('error', () => {})
  const answer = (response: AdminResponse) => socket.end(`${JSON.stringify(response)}\n`)
  socket.on('data', (chunk: string) => {
    buffered += chunk
    const end = buffered.indexOf('\n')
    if (end < 0 && buffered.length < ADMIN_LINE_MAX) return
    socket.removeAllListeners('data')
    socket.pause()
    if (end < 0) return answer({ ok: false, code: 'invalid', message: `a request is one line of at most ${ADMIN_LINE_MAX} bytes` })
    let request: unknown
    try {
      request = JSON.parse(buffered.slice(0, end))
    } catch {
      return answer({ ok: false, code: 'invalid', message: 'not JSON' })
    }
    handle(request).then(answer, () => answer({ ok: false, code: 'internal', message: 'the server could not do that; see its log' }))
  })
}
