import t from 'tap'
import { addressKey, createAddressCounter, fdReserve, parseOpenFileLimit, readOpenFileLimit, totalConnectionCap } from '../../lib/transport/connection-limits.js'

t.test('the address counter holds at most max per key and forgets keys at zero', async (t) => {
  const c = createAddressCounter()
  t.ok(c.tryAdd('a', 2))
  t.ok(c.tryAdd('a', 2))
  t.notOk(c.tryAdd('a', 2), 'the third is refused')
  t.ok(c.tryAdd('b', 2), 'other keys are independent')
  c.remove('a')
  t.equal(c.count('a'), 1)
  t.ok(c.tryAdd('a', 2), 'a freed slot is usable')
  c.remove('a')
  c.remove('a')
  c.remove('b')
  t.equal(c.size, 0)
})

t.test('the soft open-file limit is read from /proc/self/limits text', async (t) => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 1048576              files\n'
  t.equal(parseOpenFileLimit(text), 1024)
  t.equal(parseOpenFileLimit(text.replace('1024 ', 'unlimited ')), undefined)
  t.equal(parseOpenFileLimit('nothing here'), undefined)
  t.equal(readOpenFileLimit('/nonexistent/limits'), 1024, 'fallback when unreadable')
  t.ok(readOpenFileLimit() > 0)
})

t.test('the total cap keeps a reserve below the open-file limit; a configured cap above it stops start-up', async (t) => {
  t.equal(fdReserve(1024), 103)
  t.equal(fdReserve(256), 64)
  t.equal(totalConnectionCap(0, 1024), 921, 'derived')
  t.equal(totalConnectionCap(500, 1024), 500, 'configured below the ceiling')
  t.throws(() => totalConnectionCap(1000, 1024), /MAX_CONNECTIONS \(1000\) must stay at or below 921/)
  t.throws(() => totalConnectionCap(0, 50), /too low/)
})

t.test('addresses are counted per IPv4 address and per IPv6 /64', async (t) => {
  t.equal(addressKey('127.0.0.2'), '127.0.0.2')
  t.equal(addressKey('::ffff:10.0.0.1'), '10.0.0.1', 'IPv4-mapped counts as IPv4')
  t.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  t.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64', 'same /64, compressed form')
  t.equal(addressKey('2001:0db8:0001:0002:ffff::1'), '2001:db8:1:2::/64')
  t.equal(addressKey('::1'), '0:0:0:0::/64')
  t.not(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'), 'another /64 is another address')
})
