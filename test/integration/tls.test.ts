import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import { WebSocket } from 'ws'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createSelfSigned, loadTlsMaterial } from '../../lib/transport/tls-material.js'
import { request, signUp } from '../helpers/clients.js'
import { startServer, type TestServer } from '../helpers/server.js'

t.test('first start generates an ECDSA P-256 self-signed certificate; later starts reuse it', async (t) => {
  const certsDir = join(t.testdir({}), 'certs')
  const first = await loadTlsMaterial({ certsDir })
  t.equal(first.generated, true)
  const cert = new X509Certificate(first.cert)
  t.equal(cert.publicKey.asymmetricKeyType, 'ec')
  t.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  t.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
  t.ok(cert.verify(cert.publicKey), 'self-signed signature verifies')
  t.equal((await stat(join(certsDir, 'key.pem'))).mode & 0o777, 0o600, 'key is private')
  const second = await loadTlsMaterial({ certsDir })
  t.equal(second.generated, false)
  t.equal(second.cert, first.cert)
})

t.test('an expired generated certificate is replaced', async (t) => {
  const certsDir = t.testdir({})
  const old = createSelfSigned(undefined, new Date(Date.now() - 400 * 86_400_000))
  await writeFile(join(certsDir, 'cert.pem'), old.cert)
  await writeFile(join(certsDir, 'key.pem'), old.key)
  const fresh = await loadTlsMaterial({ certsDir })
  t.equal(fresh.generated, true)
  t.ok(new Date(new X509Certificate(fresh.cert).validTo).getTime() > Date.now())
})

t.test('TLS_CERT/TLS_KEY are used instead, and bad ones stop start-up naming the file', async (t) => {
  const dir = t.testdir({})
  const real = createSelfSigned(['chat.example.org'])
  const other = createSelfSigned(['chat.example.org'])
  await writeFile(join(dir, 'cert.pem'), real.cert)
  await writeFile(join(dir, 'key.pem'), real.key)
  await writeFile(join(dir, 'other-key.pem'), other.key)
  const loaded = await loadTlsMaterial({ certsDir: join(dir, 'unused'), tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') })
  t.equal(loaded.cert, real.cert)
  t.equal(loaded.generated, false)
  await t.rejects(
    loadTlsMaterial({ certsDir: dir, tlsCert: join(dir, 'missing.pem'), tlsKey: join(dir, 'key.pem') }),
    /TLS_CERT: cannot read .*missing\.pem/
  )
  await t.rejects(
    loadTlsMaterial({ certsDir: dir, tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'other-key.pem') }),
    /key does not match/
  )
})

t.test('plain http:// to the port is never served', async (t) => {
  const server = await startServer(t)
  const socket = net.connect(server.port, '127.0.0.1')
  socket.write('GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  let received = ''
  socket.on('data', (d) => (received += d.toString('latin1')))
  await new Promise<void>((resolve) => socket.on('close', () => resolve()))
  t.match(received, /^HTTP\/1\.1 400 Bad Request\r\n/, 'a fixed plain-text 400')
  t.match(received, /HTTPS only/)
  t.notMatch(received, /unauthorized|username|Strict-Transport/, 'nothing of the app is served')
})

t.test('TLS below 1.2 is refused (by a client that does connect to a server allowing TLS 1.1)', async (t) => {
  // OpenSSL 3 refuses TLS 1.1's SHA-1 signatures below security level 0, on either side.
  const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const
  const attempt = (port: number, ca: string) =>
    new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, ...legacy })
      socket.once('secureConnect', () => (resolve(socket.getProtocol() ?? '?'), socket.end()))
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`refused: ${err.code ?? err.message}`))
    })

  // The control: the same client against a server deliberately configured to allow TLS 1.1.
  const material = createSelfSigned()
  const control = tls.createServer({ ...material, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end())
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve))
  t.teardown(() => control.close())
  t.equal(await attempt((control.address() as { port: number }).port, material.cert), 'TLSv1.1', 'the client can speak TLS 1.1')

  const server = await startServer(t)
  t.match(await attempt(server.port, server.ca), /^refused: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION/, 'Parley refuses it')
})

t.test('HTTPS works with the certificate as the only trust anchor, and secrets are mode 0600', async (t) => {
  const server = await startServer(t)
  await signUp(server, 'alice')
  const res = await request(server, 'GET', '/api/me')
  t.equal(res.status, 401)
  t.match(String(res.headers['strict-transport-security']), /max-age=31536000/)
  for (const file of ['session.key', 'users.json']) {
    t.equal((await stat(join(server.dataDir, file))).mode & 0o777, 0o600, file)
  }
  t.notMatch(await readFile(join(server.dataDir, 'users.json'), 'utf8'), /correct horse/, 'no plain password on disk')
})

/** Opens /ws, optionally offering a TLS session; resolves at `welcome` with the TLS socket and the first session ticket it got. */
function openResumable(server: TestServer, cookie: string, session?: Buffer, maxVersion: tls.SecureVersion = 'TLSv1.3') {
  let socket!: tls.TLSSocket
  let ticket!: Promise<Buffer>
  const ws = new WebSocket(server.origin.replace('https:', 'wss:') + '/ws', {
    ca: server.ca,
    headers: { cookie },
    origin: server.origin,
    // Passed on to tls.connect (ws's ClientOptions type does not list them).
    ...({ session, maxVersion } as object),
    // Tickets may come before the upgrade's answer: listen from the moment the socket exists.
    createConnection: ((options: tls.ConnectionOptions) => {
      socket = tls.connect(options)
      ticket = once(socket, 'session').then(([t]) => t as Buffer)
      return socket
    }) as unknown as typeof net.createConnection
  })
  return new Promise<{ ws: WebSocket; socket: tls.TLSSocket; ticket: Promise<Buffer> }>((resolve, reject) => {
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'welcome') resolve({ ws, socket, ticket })
    })
    ws.once('error', reject)
  })
}

t.test('a reconnecting chat client resumes its TLS session from the ticket; a restarted server makes it handshake again', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    const first = await openResumable(server, cookie, undefined, version)
    t.equal(first.socket.isSessionReused(), false, `${version}: the first connection is a full handshake`)
    const ticket = await first.ticket
    first.ws.close()
    const again = await openResumable(server, cookie, ticket, version)
    t.equal(again.socket.getProtocol(), version)
    t.equal(again.socket.isSessionReused(), true, `${version}: the reconnect resumes (no certificate, no signature)`)
    again.ws.close()
  }
  const first = await openResumable(server, cookie)
  const ticket = await first.ticket
  first.ws.close()
  // Same certificate, new process: the ticket key lives in memory only, so the old ticket is useless.
  const restarted = await startServer(t, { certsDir: server.config.certsDir })
  const other = await openResumable(restarted, await signUp(restarted, 'bob'), ticket)
  t.equal(other.socket.isSessionReused(), false, 'a ticket of another server process is not accepted')
  other.ws.close()
})
