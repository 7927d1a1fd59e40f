/// <reference lib="dom" />
// The page's state and actions (no browser) over a fake socket: what the server would send is
// fed in with receive(), what the page sent is collected in `sent`.
import { createActions } from '../../web/actions.js'
import type { ConnectionHandlers } from '../../web/connection-types.js'
import type { ClientFrame, JoinedFrame, ServerFrame } from '../../web/protocol.js'
import { createChatState } from '../../web/state.js'

const limits = { maxChars: 500, ratePerSec: 5, idleWarnMs: 60_000, idleKickMs: 120_000, idleActivity: 'input' as const }

/** Signed in as alice, lobby joined (with `joined`'s extras), `sent` emptied of what that sent. */
export function signedInPage(joined: Partial<JoinedFrame> = {}) {
  const state = createChatState()
  let server: ConnectionHandlers | undefined
  const sent: ClientFrame[] = []
  const actions = createActions(state, {
    open(handlers) {
      server = handlers
      return { send: (f) => (sent.push(f), true), close() {} }
    },
    checkSession: async () => ({ kind: 'ok' })
  })
  actions.enterChat('alice')
  const receive = (frame: ServerFrame) => server!.onFrame(frame)
  receive({ type: 'welcome', user: 'alice', room: 'lobby', limits })
  receive({ type: 'joined', room: 'lobby', cap: 50, online: 1, members: ['alice'], lastSeq: 0, messages: [], ...joined })
  sent.length = 0
  return { state, actions, sent, receive }
}
