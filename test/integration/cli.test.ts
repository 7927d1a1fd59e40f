// The operator's CLI (`parley`, dist/parley.js) against a running server over DATA_DIR/admin.sock:
// list, cap (at once and across restarts), close (members told), refusals and exit codes.
import t, { type Test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { readdir, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from '../helpers/server.js'
import { childEnv } from '../helpers/server-process.js'
import { chatUser, FAST_FRAMES } from '../helpers/rooms.js'
import type { ChatClient } from '../helpers/clients.js'

const CLI = fileURLToPath(new URL('../../dist/parley.js', import.meta.url))
const SITE = 'https://shop.example'

/** A short data dir (a Unix socket path has at most ~104 bytes; tap's fixture paths are longer). */
function shortDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function parley(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: childEnv({ DATA_DIR: dataDir }) }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr })
    })
  })
}

const answer = (client: ChatClient, room: string) =>
  client.next('answer', () => true, 5000, (f) => (f.type === 'joined' || f.type === 'error') && f.room === room)

t.test('parley --help and usage errors: 0 with the usage, 1 for a bad command or argument', async (t) => {
  const dir = shortDir(t)
  const help = await parley(dir, '--help')
  t.equal(help.code, 0)
  t.match(help.stdout, /parley rooms cap NAME N/)
  const cases = [['nope'], ['rooms', 'cap', 'x'], ['rooms', 'cap', 'x', 'many'], ['rooms', 'close'], ['rooms', 'list', 'extra']]
  // At once: each run is its own process and changes nothing.
  const runs = await Promise.all(cases.map((args) => parley(dir, ...args)))
  for (const [i, args] of cases.entries()) {
    const run = runs[i]!
    t.equal(run.code, 1, args.join(' '))
    t.match(run.stderr, /parley --help/)
  }
})

t.test('with no server running, cap and close say so and exit 3', async (t) => {
  const dir = shortDir(t)
  const cases = [['rooms', 'cap', 'x', '5'], ['rooms', 'close', 'x'], ['rooms', 'list']]
  const runs = await Promise.all(cases.map((args) => parley(dir, ...args)))
  for (const [i, args] of cases.entries()) {
    const run = runs[i]!
    t.equal(run.code, 3, args.join(' '))
    t.match(run.stderr, /server is not running/)
  }
})

t.test('rooms cap takes effect at once: members over it stay, nobody new enters until below it, joined and rooms show it; it survives a restart', async (t) => {
  const dir = shortDir(t)
  const server = await startServer(t, FAST_FRAMES, dir)
  const users = await Promise.all(['ann', 'bob', 'cid', 'dan'].map((name) => chatUser(t, server, name)))
  const [ann, bob, cid, dan] = users.map((u) => u.client) as [ChatClient, ChatClient, ChatClient, ChatClient]
  ann.send({ type: 'create', room: 'team', cap: 5 })
  await ann.next('joined', (f) => f.room === 'team')
  for (const c of [bob, cid]) {
    c.send({ type: 'join', room: 'team' })
    await c.next('joined', (f) => f.room === 'team')
  }
  const set = await parley(dir, 'rooms', 'cap', 'team', '2')
  t.equal(set.code, 0, set.stderr)
  t.match(set.stdout, 'team: cap 2')
  dan.send({ type: 'join', room: 'team' })
  t.match(await answer(dan, 'team'), { type: 'error', code: 'room_full' }, 'three members over cap 2: nobody new')
  bob.send({ type: 'leave', room: 'team' })
  cid.send({ type: 'leave', room: 'team' })
  await cid.next('left')
  dan.send({ type: 'join', room: 'team' })
  t.match(await answer(dan, 'team'), { type: 'joined', cap: 2 }, 'below it again: the next join enters and sees cap 2')
  const list = await parley(dir, 'rooms', 'list', '--json')
  t.equal(list.code, 0)
  t.match(JSON.parse(list.stdout), [{ name: 'lobby' }, { name: 'team', cap: 2, online: 2, creator: 'ann', used: false }])
  t.match((await parley(dir, 'rooms', 'list')).stdout, /^NAME +ONLINE +CAP +OWNER +USED\n/)
  await server.app.close()
  const again = await startServer(t, FAST_FRAMES, dir)
  const { client } = await chatUser(t, again, 'eve')
  client.send({ type: 'rooms' })
  t.match((await client.next('rooms')).rooms, [{ name: 'lobby' }, { name: 'team', cap: 2 }], 'the operator cap survived the restart')
})

t.test('rooms close removes the room and its history; its members get left with reason closed; the lobby, site rooms and unknown rooms are refused (2)', async (t) => {
  const dir = shortDir(t)
  const server = await startServer(t, { ...FAST_FRAMES, embedOrigins: [SITE], embedRooms: [{ site: SITE, name: 'support' }] }, dir)
  const { client: ann } = await chatUser(t, server, 'ann')
  const { client: bob } = await chatUser(t, server, 'bob')
  ann.send({ type: 'create', room: 'doomed' })
  await ann.next('joined', (f) => f.room === 'doomed')
  bob.send({ type: 'join', room: 'doomed' })
  await bob.next('joined', (f) => f.room === 'doomed')
  ann.send({ type: 'message', room: 'doomed', text: 'hi' })
  await bob.next('message', (f) => f.room === 'doomed')
  const closed = await parley(dir, 'rooms', 'close', 'doomed')
  t.equal(closed.code, 0, closed.stderr)
  for (const c of [ann, bob]) t.same(await c.next('left', (f) => f.room === 'doomed'), { type: 'left', room: 'doomed', reason: 'closed' })
  ann.send({ type: 'message', room: 'doomed', text: 'still here?' })
  t.match(await ann.next('error'), { code: 'not_in_room' }, 'no longer a member')
  bob.send({ type: 'join', room: 'doomed' })
  t.match(await answer(bob, 'doomed'), { code: 'no_such_room' })
  await new Promise((r) => setTimeout(r, 100))
  t.notOk((await readdir(join(dir, 'history'))).some((f) => f.startsWith('doomed')), 'its history is gone')
  const refused = [
    [['rooms', 'close', 'lobby'], /kept by the server/],
    [['rooms', 'close', 'support'], /EMBED_ROOMS/],
    [['rooms', 'close', 'nowhere'], /no room nowhere/],
    [['rooms', 'cap', 'nowhere', '5'], /no room nowhere/],
    [['rooms', 'cap', 'lobby', '1'], /2\.\.50/],
    [['rooms', 'cap', 'lobby', '51'], /2\.\.50/]
  ] as [string[], RegExp][]
  // At once: every one of them is refused, so none changes what another sees.
  const [bad, ...runs] = await Promise.all([parley(dir, 'rooms', 'close', 'Bad/Name'), ...refused.map(([args]) => parley(dir, ...args))])
  for (const [i, [args, pattern]] of refused.entries()) {
    const run = runs[i]!
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, pattern)
  }
  t.equal(bad!.code, 1, 'a bad room name is a usage error (the request schema refuses it)')
})

t.test('the admin socket: mode 0600, requests checked against their schema, a stale one replaced at start, a live one refused, removed on close', async (t) => {
  const dir = shortDir(t)
  const path = join(dir, 'admin.sock')
  // A socket file a killed server left behind.
  const stale = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], { env: childEnv() })
  await new Promise((r) => stale.on('exit', r))
  t.ok((await stat(path)).isSocket(), 'a stale socket is there')
  const server = await startServer(t, FAST_FRAMES, dir)
  t.equal((await stat(path)).mode & 0o777, 0o600)
  const raw = (line: string) =>
    new Promise<any>((resolve) => {
      const socket = net.connect(path, () => socket.write(line))
      let text = ''
      socket.on('data', (d) => (text += d))
      socket.on('end', () => resolve(JSON.parse(text)))
    })
  t.match(await raw('{"op":"rooms.cap","room":"lobby","cap":"9"}\n'), { ok: false, code: 'invalid' })
  t.match(await raw('{"op":"rooms.list","extra":1}\n'), { ok: false, code: 'invalid' })
  t.match(await raw('{"op":"__proto__"}\n'), { ok: false, code: 'invalid' })
  t.match(await raw('not json\n'), { ok: false, code: 'invalid' })
  t.match(await raw('x'.repeat(5000)), { ok: false, code: 'invalid' }, 'an endless line is cut off')
  t.match(await raw('{"op":"rooms.list"}\n'), { ok: true, rooms: [{ name: 'lobby' }] })
  await t.rejects(startServer(t, FAST_FRAMES, dir), /another Parley server is running/, 'a second server on the same DATA_DIR does not start')
  t.match(await raw('{"op":"rooms.list"}\n'), { ok: true }, 'and the first still answers')
  await server.app.close()
  await t.rejects(stat(path), { code: 'ENOENT' }, 'removed on close')
  await writeFile(path, 'not a socket')
  await t.rejects(startServer(t, FAST_FRAMES, dir), /not a socket/, 'anything else in its place stops start-up')
})
