// Client faults cannot flood the logs: one line per socket, at info/warn, never a stack or a body.
import t from 'tap'
import type { Test } from 'tap'
import { buildApp } from '../../app.js'
import { loadTlsMaterial } from '../../lib/transport/tls-material.js'
import { testConfig, type TestServer } from '../helpers/server.js'
import { connect, signUp } from '../helpers/clients.js'
import type { Config } from '../../lib/shared/config.js'

/** A server whose log lines (info and up) are collected in `lines`. */
async function startLoggedServer(t: Test, overrides: Partial<Config> = {}) {
  const dataDir = t.testdir({})
  const config = testConfig(dataDir, { logLevel: 'info', ...overrides })
  const tls = await loadTlsMaterial(config)
  const lines: any[] = []
  const app = await buildApp(config, tls, { logStream: { write: (line) => lines.push(JSON.parse(line)) } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  const server: TestServer = { app, origin: `https://127.0.0.1:${port}`, port, dataDir, ca: tls.cert, config }
  return { server, lines }
}

const faultLines = (lines: any[]) => lines.filter((l) => /client faults/.test(l.msg ?? ''))
const settle = () => new Promise((r) => setTimeout(r, 300))

t.test('a flood of refused frames from one socket makes one log line, at warn, without a stack or the text', async (t) => {
  const { server, lines } = await startLoggedServer(t)
  const mallory = await connect(server, await signUp(server, 'mallory'))
  for (let i = 0; i < 500; i++) mallory.send({ type: 'message', text: `SECRET-BODY-${i}\u0000` })
  t.match(await mallory.waitClose(), { code: 1008 })
  await settle()
  const faults = faultLines(lines)
  t.equal(faults.length, 1, 'one line for the socket')
  t.equal(faults[0].level, 40, 'at warn')
  t.match(faults[0], { user: 'mallory', closeCode: 1008 })
  t.ok(faults[0].faults.invalid + (faults[0].faults.rate_limited ?? 0) >= 30, 'with the counts')
  const all = JSON.stringify(lines)
  t.notMatch(all, /SECRET-BODY/, 'no message text in the logs')
  t.notOk(lines.some((l) => l.level >= 50), 'nothing at error level')
  t.notMatch(all, /"stack"/, 'no stack traces')
})

t.test('oversize, invalid UTF-8 and binary frames: one line per socket, no error level, no stack', async (t) => {
  const { server, lines } = await startLoggedServer(t)
  const cookie = await signUp(server, 'mallory')
  const sends: ((c: Awaited<ReturnType<typeof connect>>) => void)[] = [
    (c) => c.send('x'.repeat(5000)),
    (c) => c.ws.send(Buffer.from([0xc3, 0x28]), { binary: false }),
    (c) => c.ws.send(Buffer.from([1, 2, 3]), { binary: true })
  ]
  for (let round = 0; round < 3; round++) {
    for (const send of sends) {
      const c = await connect(server, cookie)
      send(c)
      await c.waitClose()
    }
  }
  await settle()
  const faults = faultLines(lines)
  t.equal(faults.length, 9, 'nine sockets, nine lines')
  t.same(faults.map((l) => l.closeCode).sort(), [1003, 1003, 1003, 1007, 1007, 1007, 1009, 1009, 1009].sort())
  t.notOk(lines.some((l) => l.level >= 50), 'nothing at error level')
  t.notMatch(JSON.stringify(lines), /"stack"/, 'no stack traces')
})

t.test('a server fault is still logged at error, with its stack', async (t) => {
  const { server, lines } = await startLoggedServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  server.app.roomHub.post = () => {
    throw new Error('disk on fire')
  }
  alice.send({ type: 'message', text: 'hi' })
  t.match(await alice.waitClose(), { code: 1011 })
  await settle()
  const errors = lines.filter((l) => l.level === 50)
  t.equal(errors.length, 1)
  t.match(errors[0], { msg: 'chat frame failed', err: { message: 'disk on fire' } })
})
