// A minimal WebSocket client on a raw TLS socket, for the load generator: a real upgrade
// (Sec-WebSocket-Key sent, Sec-WebSocket-Accept checked), then frames read in place from one
// read buffer shared by every socket of the process (tls `onread`: no stream, no Buffer per
// read). Pings are answered with pongs and a close with a close. Messages are handed over as
// bytes (buf, start, end); what they mean is the caller's business (loadgen/worker.mjs).
import { connect as tlsConnect } from 'node:tls'
import { OP, createFrameReader, clientFrame, newKey, upgradeRequest, checkUpgradeResponse } from './frames.mjs'

/** One read buffer for every socket of this process: each read is handled before the next. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024)
const MAX_HEAD = 16 * 1024
const CRLFCRLF = Buffer.from('\r\n\r\n')
const NORMAL_CLOSE = Buffer.from([0x03, 0xe8]) // 1000
const skipCertificateObject = () => ({})

// Batched reading (for counting clients, set client.batchMs): a socket that reads again
// within batchMs of its last read is paused after the read and resumed by one shared sweep
// batchMs later, so a busy socket is read every batchMs with everything that came meanwhile
// (one epoll wake-up and one read instead of one per frame). The server cannot tell: the
// kernel ACKs and buffers on its own, and a few KiB per socket never fill a window. A socket
// that gets a frame now and then is read at once, as before.
/** Read callbacks of upgraded sockets so far in this process: one per TLS record (SSL_read), however the reads were batched. */
export const readStats = { reads: 0 }
const parked = new Set()
let sweep = null
function park(client) {
  parked.add(client)
  sweep ??= setTimeout(resumeParked, client.batchMs)
}
function resumeParked() {
  sweep = null
  const list = [...parked]
  parked.clear()
  for (const c of list) if (!c.sock.destroyed) c.sock.resume()
}

/**
 * Opens one socket. Resolves with the client once the upgrade is verified; onMessage(client,
 * buf, start, end) gets every complete text or binary message from then on (the first may
 * arrive in the same read as the 101, before the promise resolves).
 * opts: { port, secureContext, localAddress, session, path, headers, timeoutMs }.
 */
export function openRawSocket(opts, onMessage) {
  return new Promise((resolve, reject) => {
    const key = newKey()
    let head = null // bytes of the HTTP answer until its blank line
    let upgraded = false
    let fragments = null // a fragmented message (servers here never fragment; kept correct anyway)
    const client = {
      sock: null,
      closing: false,
      /** Sends a text message (masked, as a client must). */
      send: (text) => client.sock.write(clientFrame(OP.TEXT, Buffer.from(text))),
      /** Starts the closing handshake; 'close' follows when the server answers or the socket ends. */
      close(code = NORMAL_CLOSE) {
        if (client.closing || client.sock.destroyed) return
        client.closing = true
        client.sock.write(clientFrame(OP.CLOSE, code))
      },
      terminate: () => client.sock.destroy(),
      onClose: undefined,
      resumed: false,
      batchMs: 0,
      lastRead: -Infinity,
      parkedAt: -Infinity
    }

    const onFrame = (op, fin, buf, start, end) => {
      if (op === OP.TEXT || op === OP.BINARY) {
        if (fin) return onMessage(client, buf, start, end)
        fragments = [Buffer.from(buf.subarray(start, end))]
      } else if (op === OP.CONT && fragments) {
        fragments.push(Buffer.from(buf.subarray(start, end)))
        if (!fin) return
        const whole = Buffer.concat(fragments)
        fragments = null
        onMessage(client, whole, 0, whole.length)
      } else if (op === OP.PING) {
        if (!client.closing) client.sock.write(clientFrame(OP.PONG, buf.subarray(start, end)))
      } else if (op === OP.CLOSE) {
        if (!client.closing) {
          client.closing = true
          client.sock.write(clientFrame(OP.CLOSE, end - start >= 2 ? buf.subarray(start, start + 2) : NORMAL_CLOSE))
        }
        client.sock.end()
      }
    }
    const reader = createFrameReader(onFrame)

    const fail = (err) => {
      clearTimeout(timer)
      client.sock?.destroy()
      reject(err)
    }
    const onRead = (n, buf) => {
      if (upgraded) {
        readStats.reads++
        try {
          reader(buf, 0, n)
        } catch (err) {
          client.sock.destroy(err)
          return
        }
        if (client.batchMs > 0) {
          const t = performance.now()
          // Still busy since it was last parked, or a second read within batchMs: park it.
          const busy = t - client.parkedAt < 3 * client.batchMs || t - client.lastRead < client.batchMs
          client.lastRead = t
          if (busy) {
            client.parkedAt = t
            park(client)
            return false
          }
        }
        return
      }
      head = head ? Buffer.concat([head, buf.subarray(0, n)]) : Buffer.from(buf.subarray(0, n))
      const at = head.indexOf(CRLFCRLF)
      if (at < 0) {
        if (head.length > MAX_HEAD) fail(new Error('upgrade: answer head too long'))
        return
      }
      const problem = checkUpgradeResponse(head.toString('latin1', 0, at), key)
      if (problem) return fail(new Error(problem))
      upgraded = true
      clearTimeout(timer)
      client.resumed = client.sock.isSessionReused()
      const rest = head.subarray(at + 4)
      head = null
      resolve(client)
      if (rest.length) onRead(rest.length, rest)
    }

    const timer = setTimeout(() => fail(new Error('upgrade timeout')), opts.timeoutMs)
    const sock = tlsConnect({
      host: '127.0.0.1',
      port: opts.port,
      secureContext: opts.secureContext,
      localAddress: opts.localAddress,
      session: opts.session,
      onread: { buffer: READ_BUFFER, callback: onRead },
      // OpenSSL verifies the chain against the run's one certificate (rejectUnauthorized). The
      // host name check after it would have Node build the certificate as a JS object
      // (getPeerCertificate: 20 % of the generator's CPU per connection) to tell us nothing more.
      checkServerIdentity: () => undefined
    })
    sock.getPeerCertificate = skipCertificateObject
    client.sock = sock
    sock.setNoDelay(true)
    sock.on('session', (s) => opts.onSession?.(s))
    sock.once('secureConnect', () => sock.write(upgradeRequest({ host: `127.0.0.1:${opts.port}`, path: opts.path, key, headers: opts.headers })))
    sock.on('error', (err) => (upgraded ? undefined : fail(err)))
    sock.on('close', () => {
      if (!upgraded) fail(new Error('closed before the upgrade'))
      client.onClose?.()
    })
  })
}
