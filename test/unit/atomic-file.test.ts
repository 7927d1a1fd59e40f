import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { writeFileAtomic } from '../../lib/shared/atomic-file.js'

t.test('writes a new file with mode 0600 by default', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'users.json')
  await writeFileAtomic(file, '{"a":1}\n')
  t.equal(await readFile(file, 'utf8'), '{"a":1}\n')
  t.equal((await stat(file)).mode & 0o777, 0o600)
})

t.test('an explicit mode is applied exactly, whatever the umask', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'public.txt')
  const old = process.umask(0o077)
  try {
    await writeFileAtomic(file, 'x', 0o644)
  } finally {
    process.umask(old)
  }
  t.equal((await stat(file)).mode & 0o777, 0o644)
})

t.test('replaces an existing file (and its loose mode) and leaves no temp file behind', async (t) => {
  const dir = t.testdir({ 'users.json': 'old contents' })
  const file = path.join(dir, 'users.json')
  await writeFile(file, 'old contents', { mode: 0o644 })
  await writeFileAtomic(file, 'new contents ✓')
  t.equal(await readFile(file, 'utf8'), 'new contents ✓')
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.same(await readdir(dir), ['users.json'])
})

t.test('concurrent writes to one file each land whole; the last rename wins', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'data.txt')
  const bodies = Array.from({ length: 20 }, (_, i) => `${i}:`.padEnd(10_000, String(i % 10)))
  await Promise.all(bodies.map((body) => writeFileAtomic(file, body)))
  t.ok(bodies.includes(await readFile(file, 'utf8')))
  t.same(await readdir(dir), ['data.txt'])
})

t.test('a missing directory rejects with ENOENT and creates nothing', async (t) => {
  const dir = t.testdir()
  await t.rejects(writeFileAtomic(path.join(dir, 'gone', 'users.json'), 'x'), { code: 'ENOENT' })
  t.same(await readdir(dir), [])
})

t.test('a failed rename removes the temp file and leaves the target as it was', async (t) => {
  const dir = t.testdir()
  // A directory in the way makes the rename fail after the temp file was written.
  const target = path.join(dir, 'users.json')
  await mkdir(target)
  await writeFile(path.join(target, 'keep'), 'kept')
  await t.rejects(writeFileAtomic(target, 'x'))
  t.same((await readdir(dir)).sort(), ['users.json'])
  t.equal(await readFile(path.join(target, 'keep'), 'utf8'), 'kept')
})
