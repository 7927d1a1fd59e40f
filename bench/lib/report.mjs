// Turns the raw results into the one table: each metric for the floor, Parley and Socket.IO
// (median of the repetitions, [min-max] when repeated, '*' when a window was noisy), ratios
// against the floor, and the pass/fail of Parley's targets.
import { spread } from './stats.mjs'
import { round } from './procstat.mjs'
import { judgeKneeTarget } from './knee.mjs'
import { NOISY_BG_CORES, INSTRUCTIONS } from './plan.mjs'

const KINDS = ['floor', 'parley', 'socketio', 'fastify']
const NAMES = { floor: 'floor', parley: 'Parley', socketio: 'Socket.IO', fastify: 'Fastify' }
/** Columns shown only when that server ran (not in the default set). */
const OPTIONAL = new Set(['fastify'])

const pick = (obj, path) => path.reduce((v, k) => v?.[k], obj)
/** Each measured item as { v, noisy }: the value and whether its window had background load. */
const items = (list, path, noisyOf = (x) => x?.noisy) => (list ?? []).map((x) => ({ v: pick(x, path), noisy: Boolean(noisyOf(x)) }))
const fromReps = (section, ...path) => (r) => items(r?.[section]?.reps, path, (rep) => pick(rep, [...path.slice(0, -1), 'noisy']) ?? rep.full?.noisy)
const fromBase = (...path) => (r) => items(r?.fanout?.base, path)
const fromLight = (...path) => (r) => items(r?.fanout?.light, path)

/** Each row: how to read its values from one server's results, and Parley's target if any. */
function rows(plan) {
  const idleRows = plan.idle.map((n, k) => ({
    name: `idle: RSS per socket at ${n} (KiB)`,
    values: (r) => items(r?.idle?.points?.slice(k, k + 1), ['rssPerSocketKb']),
    target: k === plan.idle.length - 1 ? { ratio: 1.1, text: '<= 1.1x floor' } : undefined
  }))
  const roomSenders = Math.min(plan.users, plan.rooms.count * plan.rooms.size)
  return [
    { name: `connect: server CPU per new connection (ms), N=${plan.connectN}`, values: fromReps('connect', 'full', 'cpuPerConnMs'), target: { ratio: 1.1, text: '<= 1.1x floor' } },
    { name: '  of which the main thread (ms)', values: fromReps('connect', 'full', 'mainCpuPerConnMs') },
    { name: 'reconnect (TLS session resumed): CPU per connection (ms)', values: fromReps('connect', 'resume', 'cpuPerConnMs') },
    { name: 'resumed / full handshake CPU', values: fromReps('connect', 'resumeRatio'), target: { absMax: 0.5, text: '<= 0.5' }, noRatio: true },
    { name: `connect: instructions per new connection (callgrind, M), N=${INSTRUCTIONS.n}`, values: fromReps('instructions', 'full', 'instructionsPerConnM'), instructions: true },
    { name: 'reconnect resumed: instructions per connection (callgrind, M)', values: fromReps('instructions', 'resume', 'instructionsPerConnM'), instructions: true },
    { name: `fanout 1000 clients, ${plan.baseSenders} senders: deliveries/s`, values: fromBase('deliveriesPerSec') },
    { name: '  p50 delivery latency (ms)', values: fromBase('p50') },
    { name: '  p95 delivery latency (ms)', values: fromBase('p95') },
    { name: '  p99 delivery latency (ms)', values: fromBase('p99'), target: { ratio: 1.1, text: '<= 1.1x floor' } },
    { name: '  server CPU per delivery (us)', values: fromBase('cpuPerDeliveryUs'), target: { ratio: 1.0, text: '<= 1.0x floor' } },
    { name: '  generator CPU per delivery (us)', values: fromBase('genCpuPerDeliveryUs'), noRatio: true },
    { name: '  refused messages', values: fromBase('refused'), target: { absMax: 0, text: '= 0' }, noRatio: true },
    { name: '  delivered within the drain time (%)', values: (r) => fromBase('delivered')(r).map((x) => ({ ...x, v: x.v * 100 })), noRatio: true },
    { name: `fanout light load (${plan.lightSenders} senders): p50 (ms)`, values: fromLight('p50') },
    { name: 'knee: deliveries/s of the last step under 4x light p50', knee: true, target: { text: '>= 1.5x floor, >= 2x Socket.IO' } },
    { name: '  first step over it (senders)', values: (r) => [{ v: r?.fanout?.knee?.explodedAt }].filter((x) => x.v !== undefined), noRatio: true },
    { name: `rooms 100x10, ${roomSenders} senders: deliveries/s`, values: fromReps('rooms', 'deliveriesPerSec'), rooms: true },
    { name: '  p50 delivery latency (ms)', values: fromReps('rooms', 'p50'), rooms: true },
    { name: '  p99 delivery latency (ms)', values: fromReps('rooms', 'p99'), rooms: true },
    { name: '  server CPU per delivery (us)', values: fromReps('rooms', 'cpuPerDeliveryUs'), rooms: true },
    { name: '  server CPU per message (us)', values: fromReps('rooms', 'cpuPerMessageUs'), rooms: true },
    { name: '  refused messages', values: fromReps('rooms', 'refused'), rooms: true, noRatio: true },
    ...idleRows
  ]
}

const num = (x) => (Math.abs(x) >= 100 ? round(x, 0) : Math.abs(x) >= 10 ? round(x, 1) : round(x, 3)).toString()

function fmt(s) {
  if (!s.n) return 'n/a'
  const star = s.noisy ? '*' : ''
  return (s.n > 1 && s.min !== s.max ? `${num(s.median)} [${num(s.min)}-${num(s.max)}]` : num(s.median)) + star
}

/** The knee cell: the measured knee, or why it is only a lower bound. */
function kneeCell(k) {
  if (!k) return 'n/a'
  return kneeText(k) + (k.noisy ? '*' : '')
}

function kneeText(k) {
  const v = num(k.deliveriesPerSec)
  if (k.status === 'exploded') return v
  if (k.status === 'not-reached') return `>${v} (${k.stoppedForTime ? 'stopped: time' : 'not reached'})`
  if (k.status === 'gen-bound') return `not judged (gen-bound at ${k.explodedAt}; >${v})`
  return 'n/a (no light-load latency)'
}

function judge(row, stats) {
  const p = stats.parley?.median
  if (!row.target || !Number.isFinite(p)) return ''
  const t = row.target
  if (t.absMax !== undefined) return p <= t.absMax ? 'PASS' : 'FAIL'
  const f = stats.floor?.median
  if (t.ratio !== undefined) return Number.isFinite(f) ? (p <= t.ratio * f ? 'PASS' : 'FAIL') : 'n/a'
  return ''
}

/** Builds the table rows (also stored in the JSON) and the text to print. */
export function buildTable(results, plan) {
  const kinds = KINDS.filter((kind) => !OPTIONAL.has(kind) || results.servers[kind])
  const others = kinds.filter((kind) => kind !== 'floor')
  // The callgrind rows only when --instructions ran (or was asked for and failed).
  const counted = Object.values(results.servers).some((r) => r?.instructions)
  const table = rows(plan)
    .filter((row) => !row.instructions || counted)
    .map((row) => {
      if (row.knee) {
        const k = Object.fromEntries(kinds.map((kind) => [kind, results.servers[kind]?.fanout?.knee]))
        const ratio = (kind) => (k[kind]?.status === 'exploded' && k.floor?.status === 'exploded' && k.floor.deliveriesPerSec ? `${round(k[kind].deliveriesPerSec / k.floor.deliveriesPerSec, 2)}x` : '')
        const cells = Object.fromEntries(kinds.flatMap((kind) => [[kind, kneeCell(k[kind])], ...(kind === 'floor' ? [] : [[`${kind}Ratio`, ratio(kind)]])]))
        return { metric: row.name, ...cells, target: row.target.text, result: judgeKneeTarget(k.parley, k.floor, k.socketio) }
      }
      const stats = {}
      for (const kind of kinds) {
        const r = results.servers[kind]
        if (row.rooms && r?.rooms?.unsupported) {
          stats[kind] = { n: 0, unsupported: true }
          continue
        }
        const vals = (r ? row.values(r) : []).filter((x) => x.v !== undefined && x.v !== null)
        stats[kind] = { ...spread(vals.map((x) => x.v)), noisy: vals.some((x) => x.noisy) }
      }
      const ratio = (kind) => (row.noRatio ? '' : stats[kind].n && stats.floor.n && stats.floor.median ? `${round(stats[kind].median / stats.floor.median, 2)}x` : '')
      const cell = (kind) => (stats[kind].unsupported ? 'unsupported' : fmt(stats[kind]))
      const cells = Object.fromEntries(kinds.flatMap((kind) => [[kind, cell(kind)], ...(kind === 'floor' ? [] : [[`${kind}Ratio`, ratio(kind)]])]))
      return { metric: row.name, ...cells, target: row.target?.text ?? '', result: judge(row, stats) }
    })
  const header = ['metric', NAMES.floor, ...others.flatMap((kind) => [NAMES[kind], 'x floor']), 'Parley target', '']
  const lines = [header, ...table.map((t) => [t.metric, t.floor, ...others.flatMap((kind) => [t[kind], t[`${kind}Ratio`]]), t.target, t.result])]
  const widths = header.map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)))
  const text = lines
    .map((l, i) => {
      const row = '| ' + l.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ') + ' |'
      return i === 0 ? `${row}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : row
    })
    .join('\n')
  return { table, text }
}

/** The conditions line(s): machine, background load, generator load, noisy windows. */
export function conditions(results) {
  const windows = []
  for (const r of Object.values(results.servers)) collectWindows(r, windows)
  const bg = spread(windows.map((w) => w.backgroundCores))
  const gen = spread(windows.map((w) => w.genCores))
  const noisyCount = windows.filter((w) => w.backgroundCores > NOISY_BG_CORES).length
  const c = results.conditions
  const noisy = bg.median > NOISY_BG_CORES
  return [
    ...(noisy ? [`NOISY RUN: other processes kept ${round(bg.median, 2)} of ${c.cpus} cores busy; latencies and CPU-per-operation figures are not comparable with a quiet run`] : []),
    `${c.date} | ${c.mode} | node ${c.node} | ${c.cpus} cores (${c.cpuModel}) | server on core 0, generator (${c.workers} processes) on core 1${c.taskset ? '' : ' (taskset missing: not pinned)'}`,
    `background load (other processes) during measured windows: median ${round(bg.median, 2)} cores [${round(bg.min, 2)}-${round(bg.max, 2)}] of ${c.cpus}; ${noisyCount} of ${windows.length} windows over ${NOISY_BG_CORES} (marked *); load average at start ${c.loadAvgStart.join(' ')}, end ${c.loadAvgEnd?.join(' ') ?? '?'}; generator ${round(gen.median, 2)} cores [${round(gen.min, 2)}-${round(gen.max, 2)}]`,
    `values: median [min-max] of ${c.reps} runs where repeated (connect: ${c.plan.connectReps ?? c.reps}; light load: ${c.plan.lightReps}; knee and idle: once)`,
    ...(c.instructions?.skipped ? [`--instructions skipped: ${c.instructions.skipped}`] : []),
    ...(c.instructions?.valgrind ? [`instructions: ${c.instructions.valgrind}, median [min-max] of ${c.instructions.reps} windows of ${c.instructions.n} connections, V8's background JIT compiles left out`] : [])
  ].join('\n')
}

function collectWindows(obj, out) {
  if (!obj || typeof obj !== 'object') return
  if (obj.window) out.push(obj.window)
  for (const v of Object.values(obj)) if (v && typeof v === 'object' && v !== obj.window) collectWindows(v, out)
}
