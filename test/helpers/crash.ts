// The kill -9 harness of the history crash tests: the real server as a child process with two
// chat users (alice, bob) whose every frame the test sees, bursts of messages until the kill, and
// a reader of the history after the last restart.
import type { Test } from 'tap'
import { connect, logIn, signUp, type ChatClient } from './clients.js'
import { runServer, type RunningServer } from './server-process.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts the server; alice and bob sign up (round 0) or log in again, connect and are in the lobby. */
export async function startRound(t: Test, env: Record<string, string>, round: number, onFrame: (frame: any) => void) {
  const server = runServer(t, env)
  await server.started
  const cookies = round === 0 ? [await signUp(server, 'alice'), await signUp(server, 'bob')] : [await logIn(server, 'alice'), await logIn(server, 'bob')]
  const clients = await Promise.all(cookies.map((cookie) => connect(server, cookie)))
  for (const client of clients) {
    client.ws.on('message', (data) => onFrame(JSON.parse(String(data))))
    client.ws.on('error', () => {})
    await client.next('joined')
  }
  return { server, clients }
}

/**
 * Each client sends bursts (`send(client, c, b)`, then `pauseMs`) while the server is killed with
 * SIGKILL after `killAfterMs`; resolves once the process is gone and the bursts have stopped.
 */
export async function killDuringBursts(server: RunningServer, clients: ChatClient[], send: (client: ChatClient, c: number, b: number) => void, pauseMs: number, killAfterMs: number) {
  let stop = false
  const bursts = clients.map(async (client, c) => {
    for (let b = 0; !stop; b++) {
      send(client, c, b)
      await sleep(pauseMs)
    }
  })
  await sleep(killAfterMs)
  server.child.kill('SIGKILL')
  await server.exit
  stop = true
  await Promise.all(bursts)
}

/** The server started once more, and alice connected to read what it kept. */
export async function startReader(t: Test, env: Record<string, string>) {
  const server = runServer(t, env)
  await server.started
  const reader = await connect(server, await logIn(server, 'alice'))
  t.teardown(() => reader.ws.close())
  await reader.next('joined')
  return { server, reader }
}
