// The resend window of docs/protocol.md: a cid is recognised while its message is among the room's
// last min(1000, HISTORY_LIMIT) seqs, live and after a restart (read back from the compacted log).
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { logIn, type ChatClient } from '../helpers/clients.js'
import { chatUser, openChat, range, FAST_FRAMES } from '../helpers/rooms.js'

const SETTINGS = { ...FAST_FRAMES, messageRatePerSec: 1000, historyLimit: 5 }

async function postAll(client: ChatClient, from: number, to: number) {
  // Message 10 has no cid: the window counts seqs, not remembered cids.
  for (const n of range(from, to)) client.send({ type: 'message', room: 'lobby', text: `m${n}`, ...(n === 10 ? {} : { cid: `c-${n}` }) })
  await client.next('message', (f) => f.cid === `c-${to}`)
}

/** Resends cid `edge` (inside the window: dropped) and then `beyond` (outside: a new message); returns what came back. */
async function resendAtTheEdge(client: ChatClient, edge: number, beyond: number) {
  client.frames.length = 0
  client.send({ type: 'message', room: 'lobby', text: `m${edge}`, cid: `c-${edge}` })
  client.send({ type: 'message', room: 'lobby', text: `m${beyond}`, cid: `c-${beyond}` })
  // Answers come in order: a broadcast of the edge resend would arrive before this one.
  return client.next('message')
}

t.test('live: the oldest seq of the window is recognised, one older is a new message', async (t) => {
  const server = await startServer(t, SETTINGS)
  const { client } = await chatUser(t, server, 'alice')
  await postAll(client, 1, 12)
  // Window 5 (HISTORY_LIMIT): seqs 8..12.
  const next = await resendAtTheEdge(client, 8, 7)
  t.match(next, { cid: 'c-7', seq: 13 }, 'c-8 dropped as a resend, c-7 stored anew')
})

t.test('after a restart, from the compacted history: the same window, to the message', async (t) => {
  const first = await startServer(t, SETTINGS)
  const { client } = await chatUser(t, first, 'alice')
  await postAll(client, 1, 12)
  await first.app.close()
  const second = await startServer(t, SETTINGS, first.dataDir)
  const again = await openChat(t, second, await logIn(second, 'alice'))
  const next = await resendAtTheEdge(again, 8, 7)
  t.match(next, { cid: 'c-7', seq: 13 }, 'c-8 dropped as a resend, c-7 stored anew')
})
