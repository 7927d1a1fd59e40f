// npm run audit:web: Lighthouse (mobile preset) on the login and chat pages of a freshly started
// production build, with Debian's Chromium. Fails below accessibility 100, best practices 100,
// performance 95. Reports go to audit-results/ (git-ignored).
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import lighthouse from 'lighthouse'
import * as chromeLauncher from 'chrome-launcher'
import { freePort } from './free-port.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium'
const MINIMUM = { accessibility: 100, 'best-practices': 100, performance: 95 }
const CHROME_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--ignore-certificate-errors'
]


function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))))
  })
}

/** Starts dist/server.js on a free port; resolves once it says it is serving. */
async function startParley(dir) {
  const port = await freePort()
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(dir, 'data'), CERTS_DIR: join(dir, 'certs'), SCRYPT_COST: '1024', LOG_LEVEL: 'info' }
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Parley did not start within 20 s')), 20_000)
    child.on('exit', (code) => reject(new Error(`Parley exited with ${code}`)))
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('Parley is serving')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return { child, origin: `https://127.0.0.1:${port}`, ca: await readFile(join(dir, 'certs', 'cert.pem'), 'utf8') }
}

function post(server, path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body)
    const req = https.request(new URL(path, server.origin), {
      method: 'POST', ca: server.ca,
      headers: { 'content-type': 'application/json', origin: server.origin }
    }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }))
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function audit(url, chrome, extraHeaders) {
  const result = await lighthouse(url, {
    port: chrome.port, output: 'json', logLevel: 'error',
    onlyCategories: Object.keys(MINIMUM), ...(extraHeaders ? { extraHeaders } : {})
  })
  const scores = Object.fromEntries(Object.entries(result.lhr.categories).map(([id, c]) => [id, Math.round(c.score * 100)]))
  const failing = Object.values(result.lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual')
    .map((a) => `${a.id} (${a.displayValue ?? a.score})`)
  return { scores, failing, report: result.report }
}

const dir = await mkdtemp(join(tmpdir(), 'parley-audit-'))
let server
let chrome
let failed = false
try {
  await run(process.execPath, ['build.mjs'])
  server = await startParley(dir)
  const credentials = { username: 'auditor', password: 'lighthouse audit 1' }
  const reg = await post(server, '/api/register', credentials)
  if (reg.status !== 201) throw new Error(`register answered ${reg.status}`)
  const login = await post(server, '/api/login', credentials)
  if (login.status !== 200 || !login.cookie) throw new Error(`login answered ${login.status}`)

  chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROME_FLAGS })
  await mkdir(join(ROOT, 'audit-results'), { recursive: true })
  const pages = [
    ['login', undefined],
    ['chat', { Cookie: login.cookie }]
  ]
  console.log('\nLighthouse (mobile preset)   performance  accessibility  best-practices')
  for (const [name, headers] of pages) {
    const { scores, failing, report } = await audit(`${server.origin}/`, chrome, headers)
    await writeFile(join(ROOT, 'audit-results', `lighthouse-${name}.json`), report)
    const low = Object.entries(MINIMUM).filter(([id, min]) => scores[id] < min)
    if (low.length > 0) failed = true
    const cell = (id) => `${scores[id]}`.padStart(id.length) + (scores[id] < MINIMUM[id] ? '!' : ' ')
    console.log(`${name.padEnd(29)}${cell('performance')}  ${cell('accessibility')}  ${cell('best-practices')}`)
    if (low.length > 0 || failing.length > 0) console.log(`  audits below 1: ${failing.join(', ') || 'none'}`)
  }
  console.log(failed ? `\nFAIL: minimum ${JSON.stringify(MINIMUM)}` : '\nPASS: every score at or above its minimum')
} catch (err) {
  console.error(`audit:web could not run: ${err.message}`)
  failed = true
} finally {
  await chrome?.kill()
  server?.child.kill('SIGTERM')
  await rm(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
