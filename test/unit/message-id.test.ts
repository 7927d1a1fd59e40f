import t from 'tap'
import { createIdGenerator, ID_PATTERN } from '../../lib/chat/rooms/message-id.js'

t.test('ids are fixed-width and sort in the order they were made, within one millisecond too', async (t) => {
  let now = 1_700_000_000_000
  const ids = createIdGenerator(() => now)
  const made = [ids.next(), ids.next(), ids.next()]
  now += 5
  made.push(ids.next())
  for (const id of made) t.match(id, ID_PATTERN)
  t.same([...made].sort(), made)
  t.equal(new Set(made).size, made.length)
})

t.test('a clock that steps back does not make ids go back', async (t) => {
  let now = 1_700_000_000_000
  const ids = createIdGenerator(() => now)
  const first = ids.next()
  now -= 60_000
  const second = ids.next()
  t.ok(second > first)
})

t.test('seeded with the last id used (a restart with the clock behind), new ids sort after it', async (t) => {
  const before = createIdGenerator(() => 1_700_000_000_000)
  const last = [before.next(), before.next()].at(-1)!
  const after = createIdGenerator(() => 1_600_000_000_000, last)
  const next = after.next()
  t.ok(next > last)
  t.ok(createIdGenerator(() => 1_800_000_000_000, last).next() > last)
})

t.test('the counter overflowing borrows the next millisecond and stays ordered', async (t) => {
  const ids = createIdGenerator(() => 1000, (1000).toString(36).padStart(9, '0') + 'zzzz')
  const next = ids.next()
  t.equal(next, (1001).toString(36).padStart(9, '0') + '0000')
})
