// kill -9 during a burst of registrations: every acknowledged (201) user survives and can log
// in after a restart, and the user store still parses.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PASSWORD, request } from '../helpers/clients.js'

async function startProcess(t: Test, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stderr!.on('data', (d) => (out += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const exit = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => (clearTimeout(killer), resolve(signal ?? code)))
  )
  t.teardown(() => child.kill('SIGKILL'))
  const origin = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      const m = /Parley is serving (https:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    exit.then((code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  const ca = await readFile(join(env.CERTS_DIR!, 'cert.pem'), 'utf8')
  return { child, exit, server: { origin, ca } }
}

t.test('kill -9 during a burst of registrations: every acknowledged user can log in after restart; the file parses', async (t) => {
  const dir = t.testdir({})
  const env = {
    DATA_DIR: join(dir, 'data'),
    CERTS_DIR: join(dir, 'certs'),
    SCRYPT_COST: '1024',
    REGISTRATIONS_PER_HOUR: '100000',
    HASH_QUEUE_MAX: '10000'
  }
  const first = await startProcess(t, env)
  const acknowledged: string[] = []
  let errors = 0
  let killed = false
  const loop = async (n: number) => {
    for (let i = 0; !killed; i++) {
      const username = `burst${n}x${i}`
      try {
        const res = await request(first.server, 'POST', '/api/register', { body: { username, password: PASSWORD }, localAddress: `127.0.0.${n + 2}` })
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
  t.equal(await first.exit, 'SIGKILL')
  await Promise.all(loops)
  t.ok(errors > 0, `registrations were in flight at the kill (${errors} cut off)`)
  t.comment(`${acknowledged.length} acknowledged before the kill, ${errors} cut off`)

  const text = await readFile(join(env.DATA_DIR, 'users.json'), 'utf8')
  const stored = Object.keys(JSON.parse(text).users)
  t.same(acknowledged.filter((u) => !stored.includes(u)), [], 'every acknowledged user is in the file')

  const second = await startProcess(t, env)
  const failed: string[] = []
  for (const username of acknowledged) {
    const res = await request(second.server, 'POST', '/api/login', { body: { username, password: PASSWORD } })
    if (res.status !== 200) failed.push(`${username}: ${res.status}`)
  }
  t.same(failed, [], `all ${acknowledged.length} acknowledged users log in after the restart`)
  second.child.kill('SIGTERM')
  t.equal(await second.exit, 0)
})
