// kill -9 during a burst of registrations: every acknowledged (201) user survives and can log
// in after a restart, and the user store still parses.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PASSWORD, request } from '../helpers/clients.js'
import { runServer } from '../helpers/server-process.js'

t.test('kill -9 during a burst of registrations: every acknowledged user can log in after restart; the file parses', async (t) => {
  const dir = t.testdir({})
  const env = {
    DATA_DIR: join(dir, 'data'),
    CERTS_DIR: join(dir, 'certs'),
    SCRYPT_COST: '1024',
    REGISTRATIONS_PER_HOUR: '100000',
    HASH_QUEUE_MAX: '10000'
  }
  const first = runServer(t, env)
  await first.started
  const acknowledged: string[] = []
  let errors = 0
  let killed = false
  const loop = async (n: number) => {
    for (let i = 0; !killed; i++) {
      const username = `burst${n}x${i}`
      try {
        const res = await request(first, 'POST', '/api/register', { body: { username, password: PASSWORD }, localAddress: `127.0.0.${n + 2}` })
        if (res.status === 201) acknowledged.push(username)
        else t.fail(`unexpected ${res.status} ${JSON.stringify(res.body)}`)
      } catch {
        errors++ // in flight when the process died: never acknowledged
        return
      }
    }
  }
  const loops = Array.from({ length: 16 }, (_, n) => loop(n))
  while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5))
  first.child.kill('SIGKILL')
  killed = true
  t.equal(await first.ended, 'SIGKILL')
  await Promise.all(loops)
  t.ok(errors > 0, `registrations were in flight at the kill (${errors} cut off)`)
  t.comment(`${acknowledged.length} acknowledged before the kill, ${errors} cut off`)

  const text = await readFile(join(env.DATA_DIR, 'users.json'), 'utf8')
  const stored = Object.keys(JSON.parse(text).users)
  t.same(acknowledged.filter((u) => !stored.includes(u)), [], 'every acknowledged user is in the file')

  const second = runServer(t, env)
  await second.started
  const failed: string[] = []
  for (const username of acknowledged) {
    const res = await request(second, 'POST', '/api/login', { body: { username, password: PASSWORD } })
    if (res.status !== 200) failed.push(`${username}: ${res.status}`)
  }
  t.same(failed, [], `all ${acknowledged.length} acknowledged users log in after the restart`)
  second.child.kill('SIGTERM')
  t.equal(await second.exit, 0)
})
