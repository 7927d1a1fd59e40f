// A room log that is not a regular file: a symlink planted in DATA_DIR/history is never followed
// (start-up refuses it, naming it; a log created or reopened later fails with ELOOP instead of
// writing through it), and a directory or fifo there stops start-up with a clear error.
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, symlink } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { startServer } from '../helpers/server.js'

const HEADER = '{"v":1,"room":"dev","cap":5}\n'
const RECORD = JSON.stringify({ seq: 1, id: '0000000010000', user: 'alice', text: 'hi', ts: 1 }) + '\n'
const escape = (s: string) => s.replace(/[/.\\-]/g, '\\$&')

t.test('start-up refuses a symlink, a directory or a fifo in the history dir, naming the file', async (t) => {
  const cases: Record<string, (file: string, outside: string) => Promise<void>> = {
    'a symlinked log': (file, outside) => symlink(outside, file),
    'a symlink not named .log': async (file, outside) => symlink(outside, file.replace(/\.log$/, '.txt')),
    'a directory': (file) => mkdir(file),
    'a fifo': async (file) => void execFileSync('mkfifo', [file])
  }
  for (const [name, plant] of Object.entries(cases)) {
    const base = t.testdir({ outside: HEADER + RECORD, history: {} })
    const dir = path.join(base, 'history')
    const outside = path.join(base, 'outside')
    const file = path.join(dir, 'dev.log')
    await plant(file, outside)
    const planted = name === 'a symlink not named .log' ? file.replace(/\.log$/, '.txt') : file
    const kind = name.includes('symlink') ? 'symlink' : name.includes('fifo') ? 'fifo' : 'directory'
    await t.rejects(openFileHistoryStore(dir, { limit: 10 }), new RegExp(`${escape(planted)} is a ${kind}`), name)
    t.equal(await readFile(outside, 'utf8'), HEADER + RECORD, `${name}: the file outside is untouched`)
  }
})

t.test('the server does not start over a symlinked log, and says which file', async (t) => {
  const base = t.testdir({ outside: HEADER + RECORD, data: { history: {} } })
  const file = path.join(base, 'data', 'history', 'dev.log')
  await symlink(path.join(base, 'outside'), file)
  await t.rejects(startServer(t, {}, path.join(base, 'data')), new RegExp(`${escape(file)} is a symlink`))
})

t.test('a symlink planted where a room log is about to be written is not followed: the write fails, the target is untouched', async (t) => {
  const base = t.testdir({ outside: 'secret\n', history: {} })
  const dir = path.join(base, 'history')
  const outside = path.join(base, 'outside')
  const errors: unknown[] = []
  const store = await openFileHistoryStore(dir, { limit: 10, error: (_m, err) => errors.push(err) })
  store.create('dev', 5)
  await symlink(outside, path.join(dir, 'dev.log'))
  store.append('dev', { seq: 1, id: '0000000010000', user: 'alice', text: 'hi', ts: 1 })
  t.same(await store.sync(), ['dev'], 'refused: the room is not stored')
  t.match(errors[0], { code: 'ELOOP' })
  t.equal(await readFile(outside, 'utf8'), 'secret\n', 'nothing written through the link')
  await store.close()
})
