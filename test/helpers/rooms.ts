// Room test helpers: sockets that are in the lobby, and collecting a room's messages.
import type { Test } from 'tap'
import { connect, signUp, type ChatClient } from './clients.js'
import type { TestServer } from './server.js'

/** Opens a socket and waits for the welcome and the lobby's `joined` (connect() asks for it). */
export async function openChat(t: Test, server: Pick<TestServer, 'origin' | 'ca'>, cookie: string): Promise<ChatClient> {
  const client = await connect(server, cookie)
  t.teardown(() => client.ws.close())
  await client.next('welcome')
  await client.next('joined', (f) => f.room === 'lobby')
  return client
}

export async function chatUser(t: Test, server: Pick<TestServer, 'origin' | 'ca'>, name: string) {
  const cookie = await signUp(server, name)
  return { cookie, client: await openChat(t, server, cookie) }
}

/** Every `message` frame of a room the client has received so far, in arrival order (and forgets them). */
export function takeMessages(client: ChatClient, room: string): any[] {
  const taken: any[] = []
  for (let i = 0; i < client.frames.length; ) {
    const f = client.frames[i]
    if (f.type === 'message' && f.room === room) taken.push(...client.frames.splice(i, 1))
    else i++
  }
  return taken
}

export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

/** Per-socket frame limits out of the way, for tests that send fast on purpose (the room limits stay). */
export const FAST_FRAMES = { frameBudgetPerSec: 10_000, frameBudgetBurst: 10_000, refusedFramesPerMin: 100_000 }

/** Every message of a room in the history, by paging back from `joined`. */
export async function wholeHistory(client: ChatClient, room: string): Promise<any[]> {
  client.send({ type: 'join', room })
  const joined = await client.next('joined', (f) => f.room === room && !f.reset)
  let messages = joined.messages
  while (messages.length > 0) {
    client.send({ type: 'history', room, before: messages[0].seq, limit: 100 })
    const page = await client.next('history', (f) => f.room === room)
    messages = [...page.messages, ...messages]
    if (!page.more) break
  }
  return messages
}
