// error frames come from one builder: the code's text unless a specific one is given, optional fields only when set.
import t from 'tap'
import { errorFrame } from '../../lib/chat/protocol/error-frame.js'
import { ERROR_TEXT } from '../../lib/chat/protocol/protocol.js'

t.test('an error frame carries the code and its text, and only the details that are set', async (t) => {
  t.strictSame(errorFrame('not_in_room'), { type: 'error', code: 'not_in_room', message: ERROR_TEXT.not_in_room })
  t.strictSame(errorFrame('rate_limited', { room: 'dev', retryInMs: 0 }), { type: 'error', code: 'rate_limited', message: ERROR_TEXT.rate_limited, room: 'dev' })
  t.strictSame(errorFrame('room_quota', { room: 'dev', retryInMs: 250, limit: 'ROOMS_PER_IP' }), {
    type: 'error', code: 'room_quota', message: ERROR_TEXT.room_quota, room: 'dev', retryInMs: 250, limit: 'ROOMS_PER_IP'
  })
  t.equal(errorFrame('not_stored', { message: 'The room could not be stored; create it again.' }).message, 'The room could not be stored; create it again.')
})
