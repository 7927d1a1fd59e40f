// kill -9 while the disk is full (a real tmpfs, root only): writes fail, are rolled back, and the
// server is killed at a random point of that, round after round; after the restart every message
// any client received is in the history exactly once, unchanged, and no seq was ever reused.
import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChatClient } from '../helpers/clients.js'
import { killDuringBursts, startReader, startRound } from '../helpers/crash.js'
import { wholeHistory } from '../helpers/rooms.js'
import { fillDisk, mountTmpfs } from '../helpers/tmpfs.js'

const TEXT = (tag: string) => tag.padEnd(1000, 'x')

const { dir: mnt, skip } = mountTmpfs(t)

t.test('kill -9 while writes fail on a full disk: every received message is durable once, no seq reused', { skip: skip ?? false }, async (t) => {
  const certs = mkdtempSync(join(tmpdir(), 'parley-certs-'))
  t.teardown(() => rm(certs, { recursive: true, force: true }))
  const env = {
    DATA_DIR: join(mnt, 'data'),
    CERTS_DIR: certs,
    MESSAGE_MAX_CHARS: '1000',
    MESSAGE_RATE_PER_SEC: '100',
    ROOM_JOINS_PER_MIN: '1000',
    FRAME_BUDGET_PER_SEC: '1000',
    FRAME_BUDGET_BURST: '1000'
  }
  const filler = join(mnt, 'filler')
  const received = new Map<string, any>()
  const reused: string[] = []
  let refused = 0
  for (let round = 0; round < 4; round++) {
    const { server, clients } = await startRound(t, env, round, (f) => {
      if (f.type === 'error' && f.code === 'not_stored') refused++
      if (f.type !== 'message') return
      const key = `${f.room}:${f.seq}`
      const seen = received.get(key)
      if (seen && seen.id !== f.id) reused.push(key)
      received.set(key, f)
    })
    // The disk fills up to a few messages' worth: some writes succeed, then short and failed ones.
    await fillDisk(mnt, filler, (4 + Math.floor(Math.random() * 12)) * 1024)
    const burst = (client: ChatClient, c: number, b: number) => {
      for (let i = 0; i < 4; i++) client.send({ type: 'message', room: 'lobby', text: TEXT(`r${round} c${c} b${b} i${i} `) })
    }
    await killDuringBursts(server, clients, burst, 20, 100 + Math.random() * 400)
    await rm(filler)
  }
  t.ok(refused > 0, `${refused} messages refused with not_stored over the rounds`)
  t.ok(received.size > 0, `${received.size} messages received`)
  t.same(reused, [], 'no seq was handed out twice')

  const { server, reader } = await startReader(t, env)
  const history = await wholeHistory(reader, 'lobby')
  const stored = new Map(history.map((m) => [`lobby:${m.seq}`, m]))
  t.equal(stored.size, history.length, 'each seq once')
  t.equal(new Set(history.map((m) => m.id)).size, history.length, 'each message once')
  const missing = [...received.keys()].filter((key) => JSON.stringify(stored.get(key)) !== JSON.stringify(received.get(key)))
  t.same(missing, [], `all ${received.size} received messages are in the history, unchanged`)
  server.child.kill('SIGTERM')
  await server.exit
})
