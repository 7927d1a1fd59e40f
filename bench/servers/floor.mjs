// The 'floor': the least a TLS chat server can do. node:https + ws; each text frame is sent
// as-is to every socket of the sender's room (?room=..., default lobby), sender included.
// No auth, no validation, no limits: what Parley costs beyond this is the price of its checks.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import { WebSocketServer } from 'ws'
import { createRooms } from './broadcast.mjs'

const server = createServer({ cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) }, (req, res) => {
  res.writeHead(404).end()
})
const wss = new WebSocketServer({ server, perMessageDeflate: false })
const attach = createRooms()

wss.on('connection', (socket, req) => attach(socket, new URL(req.url, 'https://x').searchParams.get('room') || 'lobby'))

server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
