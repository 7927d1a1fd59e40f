// The real entry point, as an operator runs it: start-up, bad config, signals.
import t from 'tap'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { connect, PASSWORD, request, signUp } from '../helpers/clients.js'
import { runServer as run } from '../helpers/server-process.js'

t.test('SIGTERM: sockets get 1001, an in-flight registration is finished and kept, exit 0', async (t) => {
  const dir = t.testdir({})
  const env = { DATA_DIR: join(dir, 'data'), CERTS_DIR: join(dir, 'certs'), SCRYPT_COST: '16384' }
  const server = run(t, env)
  await server.started
  t.match(server.output(), /generated a self-signed certificate/)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')

  const pending = request(server, 'POST', '/api/register', { body: { username: 'latecomer', password: PASSWORD } })
  // SIGTERM once the server has the request (it is then hashing the password).
  const registrations = () => server.output().match(/"url":"\/api\/register".*"msg":"incoming request"/g)?.length ?? 0
  for (let i = 0; i < 1000 && registrations() < 2; i++) await new Promise((r) => setTimeout(r, 5))
  t.equal(registrations(), 2, 'the registration is in flight')

  server.child.kill('SIGTERM')
  t.same(await alice.waitClose(), { code: 1001, reason: 'shutdown' })
  t.equal((await pending).status, 201, 'acknowledged')
  t.equal(await server.exit, 0)
  const users = JSON.parse(await readFile(join(env.DATA_DIR, 'users.json'), 'utf8')).users
  t.ok(users.latecomer, 'and durable')
  t.notMatch(server.output(), /correct horse|parley=/, 'no passwords or cookies in the logs')
})

t.test('a bad setting stops start-up with a message naming the variable', async (t) => {
  const dir = t.testdir({})
  const server = run(t, { DATA_DIR: join(dir, 'data'), CERTS_DIR: join(dir, 'certs'), IDLE_WARN_MS: 'often' })
  t.equal(await server.exit, 1)
  t.match(server.output(), /Configuration error: IDLE_WARN_MS/)
})

t.test('a corrupt user store stops start-up, names the file and is left untouched', async (t) => {
  const dir = t.testdir({})
  const dataDir = join(dir, 'data')
  await mkdir(dataDir)
  await writeFile(join(dataDir, 'users.json'), '{"version":1,"users":{"ali')
  const server = run(t, { DATA_DIR: dataDir, CERTS_DIR: join(dir, 'certs') })
  t.equal(await server.exit, 1)
  t.match(server.output(), /users\.json/)
  t.equal(await readFile(join(dataDir, 'users.json'), 'utf8'), '{"version":1,"users":{"ali')
})

t.test('SIGINT (Ctrl-C) closes the same way: 1001 to sockets, exit 0', async (t) => {
  const dir = t.testdir({})
  const server = run(t, { DATA_DIR: join(dir, 'data'), CERTS_DIR: join(dir, 'certs'), SCRYPT_COST: '1024' })
  await server.started
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  server.child.kill('SIGINT')
  t.same(await alice.waitClose(), { code: 1001, reason: 'shutdown' })
  t.equal(await server.exit, 0)
})
