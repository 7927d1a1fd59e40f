import t from 'tap'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import https from 'node:https'
import { startServer, type TestServer } from '../helpers/server.js'
import { request } from '../helpers/clients.js'

/** A raw GET that keeps the body as bytes (compressed answers are not text). */
function fetchRaw(server: TestServer, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, any>; body: Buffer }>((resolve, reject) => {
    https
      .get(new URL(path, server.origin), { ca: server.ca, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      .on('error', reject)
  })
}

t.test('the page: HTML never cached, bundles content-hashed and cached for a year, favicon served', async (t) => {
  const server = await startServer(t)
  const page = await request(server, 'GET', '/')
  t.equal(page.status, 200)
  t.equal(page.headers['cache-control'], 'no-store', 'the HTML is never cached')
  const js = /src="(\/app-[A-Z0-9]{8}\.js)"/.exec(page.body)?.[1]
  const css = /href="(\/app-[A-Z0-9]{8}\.css)"/.exec(page.body)?.[1]
  t.ok(js && css, 'index.html names hashed bundles')
  for (const path of [js!, css!]) {
    const res = await fetchRaw(server, path)
    t.equal(res.status, 200, path)
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', `${path} is immutable`)
  }
  t.match(page.body, /rel="icon" href="\/favicon.svg"/)
  const icon = await fetchRaw(server, '/favicon.svg')
  t.equal(icon.status, 200)
  t.match(icon.headers['content-type'], /image\/svg\+xml/)
  const ico = await fetchRaw(server, '/favicon.ico')
  t.equal(ico.status, 301, '/favicon.ico is not a 404')
  t.equal(ico.headers.location, '/favicon.svg')
  t.equal((await request(server, 'GET', '/app.js')).status, 404, 'no unhashed bundle is left to go stale')
})

t.test('precompressed bundles: brotli and gzip served with the right Content-Encoding; the HTML page never compressed', async (t) => {
  const server = await startServer(t)
  const page = await request(server, 'GET', '/')
  const js = /src="(\/app-[A-Z0-9]{8}\.js)"/.exec(page.body)![1]!
  const plain = await fetchRaw(server, js)
  t.notOk(plain.headers['content-encoding'], 'no Accept-Encoding: sent as is')

  const br = await fetchRaw(server, js, { 'accept-encoding': 'br, gzip' })
  t.equal(br.headers['content-encoding'], 'br')
  t.match(br.headers.vary, /accept-encoding/i)
  t.ok(br.body.length < plain.body.length / 2, `brotli is much smaller (${br.body.length} of ${plain.body.length} bytes)`)
  t.ok(brotliDecompressSync(br.body).equals(plain.body), 'brotli decodes to the bundle')

  const gz = await fetchRaw(server, js, { 'accept-encoding': 'gzip' })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.ok(gunzipSync(gz.body).equals(plain.body), 'gzip decodes to the bundle')
  t.match(gz.headers.vary, /accept-encoding/i, 'caches keep the encodings apart')

  const icon = await fetchRaw(server, '/favicon.svg', { 'accept-encoding': 'br' })
  t.equal(icon.headers['content-encoding'], 'br', 'the favicon is precompressed too')

  const html = await fetchRaw(server, '/', { 'accept-encoding': 'br, gzip' })
  t.notOk(html.headers['content-encoding'], 'the page itself is sent uncompressed (nothing for BREACH to measure)')
  t.equal(html.headers['cache-control'], 'no-store')
})

t.test('the stylesheet names an emoji font, so an emoji never renders as an empty box', async (t) => {
  const server = await startServer(t)
  const page = await request(server, 'GET', '/')
  const css = /href="(\/app-[A-Z0-9]{8}\.css)"/.exec(page.body)![1]!
  const body = (await fetchRaw(server, css)).body.toString('utf8')
  const stack = /:root\{[^}]*font-family:([^;}]+)/.exec(body)?.[1] ?? ''
  for (const font of ['Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji']) t.match(stack, font, `${font} in the font stack`)
})
