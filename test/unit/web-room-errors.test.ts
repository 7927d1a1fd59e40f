/// <reference lib="dom" />
// Refused room operations in the page's state (no browser), through the real actions and frame
// handling over a fake socket.
import t from 'tap'
import { signedInPage } from '../helpers/page-state.js'

t.test('a room whose creation could not be stored: shown as a room error, the message in flight untouched', async (t) => {
  const { state, actions, sent, receive } = signedInPage()
  state.draft.value = 'hello'
  t.ok(actions.send())
  t.ok(actions.createRoom('dev'))
  t.match(sent, [{ type: 'message', text: 'hello' }, { type: 'create', room: 'dev' }])
  const inFlight = state.outbox.value
  receive({ type: 'error', code: 'not_stored', room: 'dev', message: 'The room could not be stored; create it again.' })
  t.equal(state.roomError.value, 'The room could not be stored. Try again.')
  t.equal(state.outbox.value, inFlight, 'the message in flight waits for its own answer: not requeued, not failed')
  t.same(state.rooms.value.map((r) => r.name), ['lobby'])
  // A message's not_stored names no room: that one is still sent again, as before.
  receive({ type: 'error', code: 'not_stored', message: 'The message could not be stored; send it again.' })
  t.match(state.outbox.value, [{ text: 'hello', status: 'queued' }], 'requeued for a resend')
})
