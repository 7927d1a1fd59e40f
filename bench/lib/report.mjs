// Turns the raw results into the one table: each metric for the floor, Parley and Socket.IO
// (median of the repetitions, [min-max] when repeated), ratios against the floor, and the
// pass/fail of Parley's targets.
import { spread } from './stats.mjs'
import { round } from './procstat.mjs'

const KINDS = ['floor', 'parley', 'socketio']
const NAMES = { floor: 'floor', parley: 'Parley', socketio: 'Socket.IO' }

const pick = (path) => (r) => {
  let v = r
  for (const k of path) v = v?.[k]
  return v
}
const fromReps = (section, ...path) => (r) => (r?.[section]?.reps ?? []).map(pick(path))
const fromBase = (...path) => (r) => (r?.fanout?.base ?? []).map(pick(path))

/** Each row: how to read its values from one server's results, and Parley's target if any. */
function rows(plan) {
  const idleRows = plan.idle.map((n, k) => ({
    name: `idle: RSS per socket at ${n} (KiB)`,
    values: (r) => [r?.idle?.points?.[k]?.rssPerSocketKb],
    target: k === plan.idle.length - 1 ? { ratio: 1.1, text: '<= 1.1x floor' } : undefined
  }))
  return [
    { name: `connect: server CPU per new connection (ms), N=${plan.connectN}`, values: fromReps('connect', 'full', 'cpuPerConnMs'), target: { ratio: 1.1, text: '<= 1.1x floor' } },
    { name: 'reconnect (TLS session resumed): CPU per connection (ms)', values: fromReps('connect', 'resume', 'cpuPerConnMs') },
    { name: 'resumed / full handshake CPU', values: fromReps('connect', 'resumeRatio'), target: { absMax: 0.5, text: '<= 0.5' }, noRatio: true },
    { name: 'fanout 1000 clients, 20 senders: deliveries/s', values: fromBase('deliveriesPerSec') },
    { name: '  p50 delivery latency (ms)', values: fromBase('p50') },
    { name: '  p95 delivery latency (ms)', values: fromBase('p95') },
    { name: '  p99 delivery latency (ms)', values: fromBase('p99'), target: { ratio: 1.1, text: '<= 1.1x floor' } },
    { name: '  server CPU per delivery (us)', values: fromBase('cpuPerDeliveryUs'), target: { ratio: 1.0, text: '<= 1.0x floor' } },
    { name: '  refused messages', values: fromBase('refused'), target: { absMax: 0, text: '= 0' }, noRatio: true },
    { name: '  delivered within the drain time (%)', values: (r) => fromBase('delivered')(r).map((v) => v * 100), noRatio: true },
    { name: 'knee: deliveries/s before latency explodes', values: (r) => [r?.fanout?.knee?.deliveriesPerSec], target: { kneeMin: true, text: '>= 1.5x floor, >= 2x Socket.IO' }, knee: true },
    { name: 'rooms 100x10, all send: deliveries/s', values: fromReps('rooms', 'deliveriesPerSec'), rooms: true },
    { name: '  p99 delivery latency (ms)', values: fromReps('rooms', 'p99'), rooms: true },
    { name: '  server CPU per delivery (us)', values: fromReps('rooms', 'cpuPerDeliveryUs'), rooms: true },
    { name: '  server CPU per message (us)', values: fromReps('rooms', 'cpuPerMessageUs'), rooms: true },
    ...idleRows
  ]
}

function fmt(s) {
  if (!s.n) return 'n/a'
  if (s.note) return fmt({ ...s, note: undefined }) + s.note
  const v = (x) => (Math.abs(x) >= 100 ? round(x, 0) : Math.abs(x) >= 10 ? round(x, 1) : round(x, 3)).toString()
  return s.n > 1 && s.min !== s.max ? `${v(s.median)} [${v(s.min)}-${v(s.max)}]` : v(s.median)
}

function judge(row, stats) {
  const p = stats.parley?.median
  if (!row.target || !Number.isFinite(p)) return ''
  const t = row.target
  if (t.absMax !== undefined) return p <= t.absMax ? 'PASS' : 'FAIL'
  const f = stats.floor?.median
  if (t.ratio !== undefined) return Number.isFinite(f) ? (p <= t.ratio * f ? 'PASS' : 'FAIL') : 'n/a'
  if (t.kneeMin) {
    const s = stats.socketio?.median
    if (!Number.isFinite(f) || !Number.isFinite(s)) return 'n/a'
    return p >= 1.5 * f && p >= 2 * s ? 'PASS' : 'FAIL'
  }
  return ''
}

/** Builds the table rows (also stored in the JSON) and the text to print. */
export function buildTable(results, plan) {
  const table = rows(plan).map((row) => {
    const stats = {}
    for (const kind of KINDS) {
      const r = results.servers[kind]
      const unsupported = row.rooms && r?.rooms?.unsupported
      stats[kind] = unsupported ? { n: 0, unsupported: true } : spread((r ? row.values(r) : []).filter((v) => v !== undefined))
      // A knee of 0: even the base load failed. A generator-bound knee is the generator's limit.
      if (row.knee && stats[kind].n) stats[kind].note = stats[kind].median === 0 ? ' (base failed)' : r?.fanout?.knee?.generatorBound ? ' (gen-bound)' : ''
    }
    const ratio = (kind) => (row.noRatio ? '' : stats[kind].n && stats.floor.n && stats.floor.median ? `${round(stats[kind].median / stats.floor.median, 2)}x` : '')
    return {
      metric: row.name,
      floor: stats.floor.unsupported ? 'unsupported' : fmt(stats.floor),
      parley: stats.parley.unsupported ? 'unsupported' : fmt(stats.parley),
      parleyRatio: ratio('parley'),
      socketio: stats.socketio.unsupported ? 'unsupported' : fmt(stats.socketio),
      socketioRatio: ratio('socketio'),
      target: row.target?.text ?? '',
      result: judge(row, stats)
    }
  })
  const header = ['metric', NAMES.floor, NAMES.parley, 'x floor', NAMES.socketio, 'x floor', 'Parley target', '']
  const lines = [header, ...table.map((t) => [t.metric, t.floor, t.parley, t.parleyRatio, t.socketio, t.socketioRatio, t.target, t.result])]
  const widths = header.map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)))
  const text = lines
    .map((l, i) => {
      const row = '| ' + l.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ') + ' |'
      return i === 0 ? `${row}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : row
    })
    .join('\n')
  return { table, text }
}

/** The conditions line(s): machine, background load, generator load. */
export function conditions(results) {
  const windows = []
  for (const r of Object.values(results.servers)) collectWindows(r, windows)
  const bg = spread(windows.map((w) => w.backgroundCores))
  const gen = spread(windows.map((w) => w.genCores))
  const c = results.conditions
  const noisy = bg.median > 0.3
  return [
    ...(noisy ? [`NOISY RUN: other processes kept ${round(bg.median, 2)} of ${c.cpus} cores busy; latencies and CPU-per-operation figures are not comparable with a quiet run`] : []),
    `${c.date} | ${c.mode} | node ${c.node} | ${c.cpus} cores (${c.cpuModel}) | server on core 0, generator (${c.workers} processes) on core 1${c.taskset ? '' : ' (taskset missing: not pinned)'}`,
    `background load (other processes) during measured windows: median ${round(bg.median, 2)} cores [${round(bg.min, 2)}-${round(bg.max, 2)}] of ${c.cpus}; load average at start ${c.loadAvgStart.join(' ')}; generator ${round(gen.median, 2)} cores [${round(gen.min, 2)}-${round(gen.max, 2)}]`,
    `values: median [min-max] of ${c.reps} runs where repeated`
  ].join('\n')
}

function collectWindows(obj, out) {
  if (!obj || typeof obj !== 'object') return
  if (obj.window) out.push(obj.window)
  for (const v of Object.values(obj)) if (v && typeof v === 'object' && v !== obj.window) collectWindows(v, out)
}
