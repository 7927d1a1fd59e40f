// Socket.IO 4 over HTTPS, websocket transport only. Clients name their room in the handshake
// query (?room=..., default lobby); a 'message' event goes to everyone in it, sender included.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import { Server } from 'socket.io'

// Socket.IO answers only its own path; anything else (the benchmark's readiness probe) gets a 404.
const server = createServer({ cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) }, (req, res) => {
  res.writeHead(404).end()
})
const io = new Server(server, { transports: ['websocket'], serveClient: false })

io.on('connection', (socket) => {
  const room = String(socket.handshake.query.room || 'lobby')
  socket.join(room)
  socket.on('message', (text) => io.to(room).emit('message', text))
})

server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
