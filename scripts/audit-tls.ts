// CLI: `npm run audit:tls` starts the built server on a free port with a throw-away data dir,
// runs Debian's testssl.sh against it and fails on any finding rated MEDIUM or worse, except
// the ones a self-signed certificate cannot avoid (listed in ACCEPTED, with the reason).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** Findings that only say "this certificate is self-signed"; a real TLS_CERT has neither. */
const ACCEPTED: Record<string, string> = {
  cert_chain_of_trust: 'self-signed: no chain to a trusted root',
  cert_revocation: 'self-signed: no CRL or OCSP URI'
}
const FAILING = new Set(['MEDIUM', 'HIGH', 'CRITICAL', 'FATAL'])
/**
 * Protocols, cipher categories, forward secrecy, server preferences, certificate, headers and
 * every vulnerability check: all of testssl's rated checks. Client simulation (-c) rates
 * nothing and is most of the run time, so it is left out.
 */
const CHECKS = ['--protocols', '--std', '--fs', '--server-preference', '--server-defaults', '--headers', '--vulnerable']

interface Finding {
  id: string
  severity: string
  finding?: string
}

function findings(node: unknown): Finding[] {
  if (Array.isArray(node)) return node.flatMap(findings)
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>
    if (typeof o.id === 'string' && typeof o.severity === 'string') return [o as unknown as Finding]
    return Object.values(o).flatMap(findings)
  }
  return []
}

async function main(): Promise<number> {
  if (spawnSync('testssl', ['--version'], { stdio: 'ignore' }).error) {
    console.error('audit:tls needs testssl.sh: apt-get install -y testssl.sh')
    return 1
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-audit-'))
  const server = spawn(process.execPath, ['dist/server.js'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      CERTS_DIR: join(dir, 'certs'),
      LOG_LEVEL: 'info',
      // testssl opens hundreds of connections from one address; the caps are not under audit here.
      CONNECTIONS_PER_IP_PER_MIN: '1000000'
    },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)))
      createInterface({ input: server.stdout! }).on('line', (line) => {
        const m = /Parley is serving (https:\/\/[^"\s]+)/.exec(line)
        if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'))
      })
    })
    const json = join(dir, 'testssl.json')
    console.log(`audit:tls: testssl ${CHECKS.join(' ')} ${origin}/ (takes a few minutes)`)
    const run = spawnSync(
      'testssl',
      ['--ip', 'one', '--quiet', '--color', '0', '--warnings', 'off', '--jsonfile-pretty', json, ...CHECKS, `${origin}/`],
      { stdio: ['ignore', 'inherit', 'inherit'] }
    )
    if (run.error) throw run.error
    const all = findings(JSON.parse(readFileSync(json, 'utf8')))
    const rated = all.filter((f) => FAILING.has(f.severity))
    const accepted = rated.filter((f) => f.id in ACCEPTED)
    const failed = rated.filter((f) => !(f.id in ACCEPTED))
    for (const f of accepted) console.log(`accepted  ${f.severity} ${f.id}: ${f.finding} (${ACCEPTED[f.id]})`)
    for (const f of failed) console.log(`FINDING   ${f.severity} ${f.id}: ${f.finding}`)
    if (all.length === 0) {
      console.error('audit:tls: testssl reported nothing at all; treating the run as failed')
      return 1
    }
    console.log(failed.length === 0 ? 'audit:tls: no finding rated MEDIUM or worse' : `audit:tls: ${failed.length} finding(s) rated MEDIUM or worse`)
    return failed.length === 0 ? 0 : 1
  } finally {
    server.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`audit:tls failed: ${err.message}`)
    process.exit(1)
  }
)
