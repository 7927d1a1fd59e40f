// What an open chat socket keeps alive: not the HTTP request it was upgraded from.
import t from 'tap'
import v8 from 'node:v8'
import vm from 'node:vm'
import type { IncomingMessage } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, signUp } from '../helpers/clients.js'
import { startServer } from '../helpers/server.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await sleep(20)
    gc()
  }
  return ref.deref() === undefined
}

t.test('an open chat socket lets go of its upgrade request (headers, cookie, Fastify request and reply)', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const upgrades: WeakRef<IncomingMessage>[] = []
  server.app.server.on('upgrade', (request: IncomingMessage) => upgrades.push(new WeakRef(request)))
  const client = await connect(server, cookie)
  await client.next('welcome')
  t.equal(upgrades.length, 1)
  t.ok(await collected(upgrades[0]!), 'the upgrade request was garbage-collected while the socket is open')
  // And the socket still works: it is answered and still closes cleanly.
  client.send({ type: 'rooms' })
  t.ok(await client.next('rooms'))
  client.ws.close(1000)
  t.equal((await client.waitClose()).code, 1000)
})
