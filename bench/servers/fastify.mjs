// Fastify 5 + @fastify/websocket with no checks, the floor's broadcast: what the framework Parley
// is built on costs by itself (its router, hooks and upgrade path) before any of Parley's code.
// Clients name their room in the query (?room=..., default lobby); each text frame is sent as-is
// to every socket of the sender's room, sender included. A plain GET (the readiness probe) gets a 404.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import websocket from '@fastify/websocket'
import { createRooms } from './broadcast.mjs'

const app = Fastify({ https: { cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) }, logger: false })
await app.register(websocket, { options: { perMessageDeflate: false } })
const attach = createRooms()

app.get('/', { websocket: true }, (socket, req) => attach(socket, String(req.query.room || 'lobby')))

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST || '127.0.0.1' })
process.on('SIGTERM', () => process.exit(0))
