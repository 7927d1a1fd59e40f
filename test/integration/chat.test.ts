import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, signUp } from '../helpers/clients.js'

t.test('two users chat: welcome, then every message reaches both, sender included', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => (alice.ws.close(), bob.ws.close()))

  t.same(await alice.next('welcome'), {
    type: 'welcome',
    user: 'alice',
    room: 'lobby',
    limits: { maxChars: 50, ratePerSec: 1, idleWarnMs: 20000, idleKickMs: 30000, idleActivity: 'input' }
  })
  await bob.next('welcome')

  alice.send({ type: 'message', text: '  hello bob  ' })
  const seenByBob = await bob.next('message')
  const seenByAlice = await alice.next('message')
  t.same(seenByAlice, seenByBob, 'everyone gets the same frame')
  t.match(seenByBob, { type: 'message', room: 'lobby', user: 'alice', text: 'hello bob' })
  t.type(seenByBob.id, 'string')
  t.ok(Math.abs(seenByBob.ts - Date.now()) < 5000, 'ts is server time in ms')

  bob.send({ type: 'message', text: 'hi alice' })
  const reply = await alice.next('message')
  t.match(reply, { user: 'bob', text: 'hi alice' })
  t.not(reply.id, seenByBob.id, 'ids are unique')
})

t.test('the sender name comes from the session, never from the frame', async (t) => {
  const server = await startServer(t)
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  alice.send({ type: 'message', text: 'hi', user: 'bob' })
  t.match(await alice.next('error'), { code: 'invalid' }, 'extra fields are refused')
  alice.send({ type: 'message', text: 'hi' })
  t.match(await alice.next('message'), { user: 'alice' })
})

t.test('text limits: 50 characters counted as graphemes, never truncated', async (t) => {
  const server = await startServer(t, { messageRatePerSec: 100 })
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())

  alice.send({ type: 'message', text: 'x'.repeat(51) })
  t.match(await alice.next('error'), { type: 'error', code: 'too_long' }, '51 characters refused')
  alice.send({ type: 'message', text: '   ' })
  t.match(await alice.next('error'), { code: 'empty' })
  alice.send({ type: 'message', text: '' })
  t.match(await alice.next('error'), { code: 'empty' })

  const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}' // one grapheme, 8 UTF-16 units
  alice.send({ type: 'message', text: family.repeat(50) })
  t.equal((await alice.next('message')).text, family.repeat(50), '50 emoji are 50 characters')
  alice.send({ type: 'message', text: 'e\u0301'.repeat(50) })
  t.equal((await alice.next('message')).text, '\u00e9'.repeat(50), 'NFC-normalised, 50 accented letters')
  alice.send({ type: 'message', text: 'x'.repeat(50) })
  t.equal((await alice.next('message')).text.length, 50)
  alice.send({ type: 'message', text: 'hi\n' })
  t.equal((await alice.next('message')).text, 'hi', 'a trailing newline is trimmed, not refused')
  alice.send({ type: 'message', text: ' \t\n ' })
  t.match(await alice.next('error'), { code: 'empty' })
  alice.send({ type: 'message', text: '\u200b\u2060' })
  t.match(await alice.next('error'), { code: 'empty' }, 'invisible-only text is empty')
  t.same(alice.frames.filter((f) => f.type !== 'welcome' && f.type !== 'joined'), [], 'refused texts were not broadcast')
})

t.test('a configured MESSAGE_MAX_CHARS is announced and enforced', async (t) => {
  const server = await startServer(t, { messageMaxChars: 5 })
  const alice = await connect(server, await signUp(server, 'alice'))
  t.teardown(() => alice.ws.close())
  t.equal((await alice.next('welcome')).limits.maxChars, 5)
  alice.send({ type: 'message', text: 'abcdef' })
  t.match(await alice.next('error'), { code: 'too_long' })
})

t.test('malformed frames get error "invalid" and change nothing', async (t) => {
  const server = await startServer(t, { messageRatePerSec: 100 })
  const alice = await connect(server, await signUp(server, 'alice'))
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => (alice.ws.close(), bob.ws.close()))
  const bad = [
    'not json',
    '{"type":"message"',
    'null',
    '42',
    '[]',
    '{}',
    '{"type":"shout","text":"hi"}',
    '{"type":"message","text":42}',
    '{"type":"message"}',
    '{"type":"message","text":"hi\\u0000there"}',
    '{"type":"message","text":"line\\nbreak"}',
    '{"type":"message","text":"\\u202Eevil"}',
    '{"type":"message","text":"a\\u2028b"}',
    '{"type":"message","text":"lone \\ud800"}',
    '{"__proto__":{"admin":true},"type":"message","text":"x"}'
  ]
  for (const raw of bad) {
    alice.send(raw)
    const err = await alice.next('error')
    t.equal(err.code, 'invalid', raw)
    t.type(err.message, 'string')
  }
  alice.send({ type: 'message', text: 'still here' })
  t.equal((await bob.next('message')).text, 'still here', 'the first message bob sees is the valid one')
})

t.test('one message per second per user, across all of their tabs', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const tab1 = await connect(server, cookie)
  const tab2 = await connect(server, cookie)
  const bob = await connect(server, await signUp(server, 'bob'))
  t.teardown(() => (tab1.ws.close(), tab2.ws.close(), bob.ws.close()))

  tab1.send({ type: 'message', text: 'one' })
  t.equal((await bob.next('message')).text, 'one')
  tab2.send({ type: 'message', text: 'two' })
  const err = await tab2.next('error')
  t.equal(err.code, 'rate_limited')
  t.ok(err.retryInMs > 0 && err.retryInMs <= 1000, `retryInMs ${err.retryInMs}`)
  await new Promise((r) => setTimeout(r, err.retryInMs + 20))
  tab2.send({ type: 'message', text: 'three' })
  t.equal((await bob.next('message')).text, 'three', '"two" was never broadcast')
})

t.test('binary frames and frames over 4 KiB are refused', async (t) => {
  const server = await startServer(t)
  const cookie = await signUp(server, 'alice')
  const binary = await connect(server, cookie)
  binary.ws.send(Buffer.from('{"type":"message","text":"hi"}'), { binary: true })
  t.match(await binary.waitClose(), { code: 1003 })
  const big = await connect(server, cookie)
  big.send({ type: 'message', text: 'x'.repeat(5000) })
  t.match(await big.waitClose(), { code: 1009 })
  t.equal(big.frames.filter((f) => f.type === 'message').length, 0)
})

t.test('closed sockets leave the hub', async (t) => {
  const server = await startServer(t)
  t.equal(server.app.chatHub.size, 0)
  const alice = await connect(server, await signUp(server, 'alice'))
  await alice.next('welcome')
  t.equal(server.app.chatHub.size, 1)
  alice.ws.close()
  await alice.waitClose()
  for (let i = 0; i < 100 && server.app.chatHub.size > 0; i++) await new Promise((r) => setTimeout(r, 10))
  t.equal(server.app.chatHub.size, 0, 'closed sockets leave the hub')
})

t.test('heartbeat: a socket that stops answering pings is dropped, one that answers stays', async (t) => {
  const server = await startServer(t, { heartbeatMs: 150 })
  const cookie = await signUp(server, 'alice')
  const silent = await connect(server, cookie, { autoPong: false })
  const lively = await connect(server, cookie)
  t.teardown(() => lively.ws.close())
  const closed = await silent.waitClose(3000)
  t.equal(closed.code, 1006, 'terminated without a closing handshake')
  t.notOk(lively.closed, 'the answering socket is still open')
  lively.send({ type: 'message', text: 'still here' })
  t.match(await lively.next('message'), { text: 'still here' })
})
