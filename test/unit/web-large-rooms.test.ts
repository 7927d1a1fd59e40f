/// <reference lib="dom" />
// Large rooms in the page's state (no browser), through the real actions and frame handling over a
// fake socket: counts instead of lists, pages of names by offset, and the switches listed <-> large.
import t from 'tap'
import { signedInPage } from '../helpers/page-state.js'
import type { JoinedFrame } from '../../web/protocol.js'

const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `u${String(from + i).padStart(4, '0')}`)

/** Signed in as alice, lobby joined (`joined` extras given), the frames the page sent since. */
function setup(joined: Partial<JoinedFrame>) {
  const page = signedInPage({ cap: 100_000, online: 2, members: ['alice', 'bob'], ...joined })
  const lobby = page.state.rooms.value[0]!
  const notices = () => lobby.items.value.filter((i) => i.kind === 'notice').length
  return { ...page, lobby, notices }
}

t.test('joined a large room: the count is the server\'s, no names, and the first page is asked for once', async (t) => {
  const { actions, lobby, sent } = setup({ online: 1234, members: [], large: true })
  t.equal(lobby.large.value, true)
  t.equal(lobby.online.value, 1234, 'the count shown is online, not the length of a list')
  t.same(lobby.members.value, [])
  actions.loadMembers('lobby')
  actions.loadMembers('lobby')
  t.same(sent, [{ type: 'members', room: 'lobby' }], 'one request while its answer is on its way')
  t.equal(lobby.membersLoading.value, true)
  t.equal(lobby.membersAsked.value, true, 'the pane does not ask on its own again')
})

t.test('online frames and late presence update the count only: no list, no join/leave notices', async (t) => {
  const { lobby, receive, notices } = setup({ online: 1234, members: [], large: true })
  receive({ type: 'online', room: 'lobby', online: 1240, large: true })
  t.equal(lobby.online.value, 1240)
  receive({ type: 'presence', room: 'lobby', user: 'zed', event: 'join', online: 1241 })
  t.equal(lobby.online.value, 1241)
  t.same(lobby.members.value, [], 'a presence sent before the room went large lists no one')
  t.equal(notices(), 0, 'no join notice in a large room')
  receive({ type: 'online', room: 'elsewhere', online: 5, large: true })
  t.equal(lobby.online.value, 1241, 'a frame about a room not shown changes nothing')
})

t.test('pages are appended in order, each asked for with offset + users.length until more is false', async (t) => {
  const { actions, lobby, sent, receive } = setup({ online: 450, members: [], large: true })
  actions.loadMembers('lobby')
  receive({ type: 'members', room: 'lobby', online: 450, large: true, offset: 0, users: names(0, 200), more: true })
  t.equal(lobby.members.value.length, 200)
  t.equal(lobby.membersLoading.value, false)
  actions.loadMembers('lobby')
  t.same(sent.at(-1), { type: 'members', room: 'lobby', offset: 200 })
  // A snapshot of a changing room: u0199 shows up again on the next page.
  receive({ type: 'members', room: 'lobby', online: 451, large: true, offset: 200, users: names(199, 200), more: true })
  t.equal(lobby.members.value.length, 399, 'a name on two pages is listed once')
  t.equal(lobby.online.value, 451)
  actions.loadMembers('lobby')
  t.same(sent.at(-1), { type: 'members', room: 'lobby', offset: 400 }, 'the next offset is the page\'s offset + its length')
  receive({ type: 'members', room: 'lobby', online: 451, large: true, offset: 400, users: names(399, 52), more: false })
  t.same(lobby.members.value, names(0, 451))
  t.equal(lobby.membersMore.value, false)
  const before = sent.length
  actions.loadMembers('lobby')
  t.equal(sent.length, before, 'all loaded: nothing more to ask')
  receive({ type: 'members', room: 'lobby', online: 451, large: true, offset: 200, users: ['late'], more: true })
  t.notOk(lobby.members.value.includes('late'), 'a page we did not ask for next is not appended')
})

t.test('a refused page (rate limited) can be asked for again', async (t) => {
  const { state, actions, lobby, sent, receive } = setup({ online: 300, members: [], large: true })
  actions.loadMembers('lobby')
  receive({ type: 'error', code: 'rate_limited', message: '', room: 'lobby', retryInMs: 2000 })
  t.equal(lobby.membersLoading.value, false)
  t.equal(state.roomError.value, '', 'not shown as a refused room change')
  actions.loadMembers('lobby')
  t.same(sent, [{ type: 'members', room: 'lobby' }, { type: 'members', room: 'lobby' }])
})

t.test('members with large:false replaces the list: a large room listed again, presence resumes', async (t) => {
  const { lobby, receive, notices } = setup({ online: 1234, members: [], large: true })
  receive({ type: 'members', room: 'lobby', online: 1234, large: true, offset: 0, users: names(0, 200), more: true })
  receive({ type: 'members', room: 'lobby', online: 3, large: false, offset: 0, users: ['carol', 'alice', 'bob'], more: false })
  t.equal(lobby.large.value, false)
  t.same(lobby.members.value, ['alice', 'bob', 'carol'], 'the whole list, sorted; no loaded page left over')
  t.equal(lobby.online.value, 3)
  t.equal(lobby.membersMore.value, false)
  receive({ type: 'presence', room: 'lobby', user: 'dave', event: 'join', online: 4 })
  t.same(lobby.members.value, ['alice', 'bob', 'carol', 'dave'])
  t.equal(notices(), 1, 'join notices are back')
})

t.test('a listed room that grows: online with large:true drops the list; a late page is not mixed in', async (t) => {
  const { actions, lobby, sent, receive } = setup({})
  t.equal(lobby.large.value, false)
  t.same(lobby.members.value, ['alice', 'bob'])
  actions.loadMembers('lobby')
  t.same(sent, [], 'a listed room has its whole list: nothing to ask')
  receive({ type: 'online', room: 'lobby', online: 101, large: true })
  t.equal(lobby.large.value, true)
  t.same(lobby.members.value, [], 'the list would go stale without presence: it goes')
  t.equal(lobby.online.value, 101)
  t.equal(lobby.membersAsked.value, false, 'the pane asks for the first page again')
  actions.loadMembers('lobby')
  receive({ type: 'members', room: 'lobby', online: 101, large: true, offset: 0, users: names(0, 101), more: false })
  t.equal(lobby.members.value.length, 101)
  receive({ type: 'online', room: 'lobby', online: 102, large: true })
  t.equal(lobby.members.value.length, 101, 'a count update keeps the loaded names')
})

t.test('a resumed joined drops a large room\'s pages; a joined that says listed brings the list back', async (t) => {
  const { actions, lobby, sent, receive } = setup({ online: 300, members: [], large: true })
  actions.loadMembers('lobby')
  receive({ type: 'members', room: 'lobby', online: 300, large: true, offset: 0, users: names(0, 200), more: true })
  lobby.status.value = 'joining' // the socket dropped
  receive({ type: 'joined', room: 'lobby', cap: 100_000, online: 310, members: [], lastSeq: 0, messages: [], large: true })
  t.same(lobby.members.value, [], 'the pages may be stale after a reconnect')
  t.equal(lobby.online.value, 310)
  t.equal(lobby.membersAsked.value, false)
  actions.loadMembers('lobby')
  t.same(sent.at(-1), { type: 'members', room: 'lobby' }, 'from the first page again')
  receive({ type: 'joined', room: 'lobby', cap: 100_000, online: 2, members: ['bob', 'alice'], lastSeq: 0, messages: [] })
  t.equal(lobby.large.value, false)
  t.same(lobby.members.value, ['alice', 'bob'])
  t.equal(lobby.membersLoading.value, false, 'no page is awaited in a listed room')
})
