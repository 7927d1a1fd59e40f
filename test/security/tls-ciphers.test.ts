// TLS 1.2 offers forward-secret AEAD suites only (no CBC: LUCKY13; no CCM8; no static RSA);
// TLS 1.3 keeps its standard suites. Checked for an ECDSA and an RSA certificate.
import t, { type Test } from 'tap'
import tls from 'node:tls'
import { buildApp } from '../../app.js'
import { createSelfSigned } from '../../lib/transport/tls-material.js'
import { testConfig } from '../helpers/server.js'

async function serve(t: Test, keyType: 'ec' | 'rsa') {
  const material = createSelfSigned(undefined, undefined, keyType)
  const app = await buildApp(testConfig(t.testdir({})), material)
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { port: (app.server.address() as { port: number }).port, ca: material.cert }
}

/** The suite the server picks from a client offering only `ciphers`, or the handshake error. */
function handshake(server: { port: number; ca: string }, ciphers: string, version: tls.SecureVersion = 'TLSv1.2') {
  return new Promise<string>((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: server.port,
      ca: server.ca,
      minVersion: version,
      maxVersion: version,
      ...(version === 'TLSv1.3' ? { ciphers: `${ciphers}:ECDHE-ECDSA-AES128-GCM-SHA256` } : { ciphers })
    })
    socket.once('secureConnect', () => {
      resolve(socket.getCipher().standardName)
      socket.end()
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(`refused: ${err.code ?? err.message}`))
  })
}

const ALLOWED = {
  ec: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  rsa: ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']
}
const REFUSED = {
  ec: ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-CCM', 'ECDHE-ECDSA-ARIA128-GCM-SHA256'],
  rsa: ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-GCM-SHA256', 'AES256-SHA', 'DHE-RSA-AES128-GCM-SHA256']
}

for (const keyType of ['ec', 'rsa'] as const) {
  t.test(`${keyType} certificate: each ECDHE AEAD suite connects over TLS 1.2`, async (t) => {
    const server = await serve(t, keyType)
    for (const suite of ALLOWED[keyType]) t.notMatch(await handshake(server, suite), /^refused/, suite)
  })

  t.test(`${keyType} certificate: a client offering only CBC, CCM, ARIA or non-forward-secret suites is refused`, async (t) => {
    const server = await serve(t, keyType)
    // The server's handshake_failure alert: the client did offer the suite, the server declined.
    for (const suite of REFUSED[keyType]) t.equal(await handshake(server, suite), 'refused: ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', suite)
  })
}

t.test('TLS 1.3 connects with each of its standard suites', async (t) => {
  const server = await serve(t, 'ec')
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    t.equal(await handshake(server, suite, 'TLSv1.3'), suite)
  }
})
