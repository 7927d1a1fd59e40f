// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, top frames first,
// plus total (inclusive) time, counting only samples inside the given windows (CLOCK_MONOTONIC
// µs, the profile's own clock) and only busy ones (idle time left out). Samples are counted,
// not weighted by their time deltas: on a busy machine a descheduled process would otherwise
// bill its waiting time to whatever frame it resumed in.
export function summariseProfile(profile, windows = [], what = 'Parley under fanout load', top = 25) {
  const { nodes, samples, timeDeltas } = profile
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const selfUs = new Map()
  const inside = (t) => windows.length === 0 || windows.some(([a, b]) => t >= a && t <= b)
  let t = profile.startTime
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0
    if (!inside(t)) continue
    const n = byId.get(samples[i])
    if (n.callFrame.functionName === '(idle)') continue
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + 1)
  }
  const parent = new Map()
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n) => {
    const f = n.callFrame
    const where = f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}` : ''
    return `${f.functionName || '(anonymous)'} ${where}`.trim()
  }
  const self = new Map()
  const total = new Map()
  let all = 0
  for (const [id, us] of selfUs) {
    all += us
    const n = byId.get(id)
    self.set(label(n), (self.get(label(n)) ?? 0) + us)
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur))
      if (seen.has(l)) continue
      seen.add(l)
      total.set(l, (total.get(l) ?? 0) + us)
    }
  }
  const pct = (us) => `${((100 * us) / all).toFixed(1)}%`
  const sort = (m) => [...m].sort((a, b) => b[1] - a[1])
  const selfTop = sort(self).slice(0, top).map(([name, us]) => ({ name, selfPct: pct(us) }))
  const totalTop = sort(total).filter(([n]) => !/^\((root|program|idle)\)/.test(n)).slice(0, top).map(([name, us]) => ({ name, totalPct: pct(us) }))
  const text = [
    `CPU profile of ${what}: ${all} busy samples inside the measured window(s); % of busy samples`,
    'top frames by self time:',
    ...selfTop.map((f) => `  ${f.selfPct.padStart(6)}  ${f.name}`),
    'top frames by total (inclusive) time:',
    ...totalTop.map((f) => `  ${f.totalPct.padStart(6)}  ${f.name}`)
  ].join('\n')
  return { selfTop, totalTop, text }
}
