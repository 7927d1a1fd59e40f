// A real full disk (a 4 MiB tmpfs mounted by the test, root only): over TLS and WebSocket, every
// message acknowledged is on disk exactly once, every refused one got not_stored and is not there,
// the log never holds garbage, and after a restart every acknowledged message is back, once, with
// seq going on from where it was.
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { chatUser, openChat, FAST_FRAMES } from '../helpers/rooms.js'
import { logIn, type ChatClient } from '../helpers/clients.js'
import { fillDisk, mountTmpfs } from '../helpers/tmpfs.js'

const SETTINGS = { ...FAST_FRAMES, messageRatePerSec: 1000 }
// A maximum-size message at the default MESSAGE_MAX_CHARS (50): 49 characters of 10 code points
// outside the BMP each (a flag tag sequence), 2,000 bytes of UTF-8, and the number.
const FLAG = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E0067}\u{E0067}\u{E0067}\u{E007F}'
const TEXT = (n: number) => FLAG.repeat(49) + String(n % 10)

/** Sends one message with a cid and resolves with what its sender heard: its broadcast, or not_stored. */
function post(client: ChatClient, n: number): Promise<'acked' | 'refused'> {
  const cid = `c-${n}`
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${cid}`)), 5000)
    const onMessage = (data: unknown) => {
      const f = JSON.parse(String(data))
      const answer = f.type === 'message' && f.cid === cid ? 'acked' : f.type === 'error' && f.code === 'not_stored' ? 'refused' : undefined
      if (!answer) return
      clearTimeout(timer)
      client.ws.off('message', onMessage)
      resolve(answer)
    }
    client.ws.on('message', onMessage)
    client.send({ type: 'message', room: 'lobby', text: TEXT(n), cid })
  })
}

const { dir: mnt, skip } = mountTmpfs(t)

t.test('a full disk: acknowledged messages are durable exactly once, refused ones got not_stored, seq never goes back across a restart', { skip: skip ?? false }, async (t) => {
  const dataDir = join(mnt, 'data')
  const first = await startServer(t, SETTINGS, dataDir)
  const { client } = await chatUser(t, first, 'alice')
  const log = join(dataDir, 'history', 'lobby.log')
  const acked: number[] = []
  const refused: number[] = []
  let n = 0
  const send = async () => ((await post(client, ++n)) === 'acked' ? acked : refused).push(n)
  await send()

  // Fill the disk to a few KiB: room for a handful of ~1 KiB lines, then ENOSPC (and short writes).
  const filler = join(mnt, 'filler')
  await fillDisk(mnt, filler, 6 * 1024)
  while (refused.length < 3 && n < 60) await send()
  t.ok(refused.length >= 3, `${refused.length} refused with not_stored once the disk was full`)
  t.ok(acked.length >= 2, `${acked.length} acknowledged`)

  // Space again: storing goes on behind the last good line.
  await rm(filler)
  for (let i = 0; i < 3; i++) await send()
  t.same(acked.slice(-3), [n - 2, n - 1, n], 'acknowledged again once there is space')

  const bytes = await readFile(log)
  t.equal(bytes.indexOf(0), -1, 'no NUL bytes in the log')
  const records = bytes.toString('utf8').split('\n').slice(1, -1).map((l) => JSON.parse(l))
  const onDisk = records.map((r) => Number(r.cid.slice(2)))
  t.same(onDisk, acked, 'exactly the acknowledged messages are on disk, once each, in order')
  const lastSeq = records.at(-1).seq
  for (let i = 1; i < records.length; i++) t.ok(records[i].seq > records[i - 1].seq, 'seq rises')
  await first.app.close()

  const second = await startServer(t, SETTINGS, dataDir)
  const reader = await openChat(t, second, await logIn(second, 'alice'))
  reader.send({ type: 'join', room: 'lobby' })
  const joined = await reader.next('joined', (f) => f.room === 'lobby')
  t.same(joined.messages.map((m: any) => Number(m.cid.slice(2))), acked, 'after the restart every acknowledged message is there, once')
  t.equal(joined.lastSeq, lastSeq)
  reader.send({ type: 'message', room: 'lobby', text: 'after', cid: 'after' })
  const after = await reader.next('message', (f) => f.cid === 'after')
  t.ok(after.seq > lastSeq, `seq goes on from ${lastSeq} (${after.seq})`)
  await second.app.close()
})
