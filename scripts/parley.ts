#!/usr/bin/env node
// The operator's command line: `parley rooms list|cap|close`. It reads the server's environment
// (DATA_DIR) and talks to the running server over DATA_DIR/admin.sock. Exit codes: docs/cli.md.
import net from 'node:net'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../lib/shared/config.js'
import type { AdminRequest, AdminResponse, RoomRow } from '../schemas/admin.js'

export const EXIT = { ok: 0, usage: 1, refused: 2, notRunning: 3, failed: 4 } as const

const USAGE = `Usage: parley <command>

  parley rooms list [--json]   every room: name, users online, cap, owner (site or creator), used
  parley rooms cap NAME N      set a room's cap (2..ROOM_MAX_USERS) now and across restarts;
                               members over it stay, nobody new enters until below it
  parley rooms close NAME      remove a room and its history; its members are told
  parley --help                this text

Acts on the running server through DATA_DIR/admin.sock (DATA_DIR as the server reads it;
run as the server's user). Exit codes: 0 done, 1 usage, 2 refused or no such room,
3 server not running, 4 failed (docs/cli.md).
`

class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

/** One request over the admin socket, one answer. */
function ask(path: string, request: AdminRequest): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path)
    let text = ''
    socket.setEncoding('utf8')
    socket.setTimeout(10_000, () => socket.destroy(new Exit(EXIT.failed, 'the server did not answer within 10 s')))
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`))
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text) as AdminResponse)
      } catch {
        reject(new Exit(EXIT.failed, 'the server sent an answer that is not JSON'))
      }
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof Exit) return reject(err)
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        return reject(new Exit(EXIT.notRunning, `the server is not running (nothing answers on ${path}); start it, or check DATA_DIR`))
      }
      if (err.code === 'EACCES') return reject(new Exit(EXIT.failed, `cannot open ${path}: run as the server's user`))
      reject(new Exit(EXIT.failed, `cannot reach the server: ${err.message}`))
    })
  })
}

function parse(args: string[]): { request: AdminRequest; json: boolean } | 'help' {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) return 'help'
  const [group, command, ...rest] = args
  const json = rest.includes('--json')
  const operands = rest.filter((a) => a !== '--json')
  if (group !== 'rooms') throw new Exit(EXIT.usage, `unknown command: ${args.join(' ')}`)
  if (command === 'list' && operands.length === 0) return { request: { op: 'rooms.list' }, json }
  if (command === 'cap' && operands.length === 2 && !json) {
    const [room, n] = operands as [string, string]
    if (!/^[0-9]{1,7}$/.test(n)) throw new Exit(EXIT.usage, `the cap must be a whole number, got "${n}"`)
    return { request: { op: 'rooms.cap', room, cap: Number(n) }, json }
  }
  if (command === 'close' && operands.length === 1 && !json) return { request: { op: 'rooms.close', room: operands[0]! }, json }
  throw new Exit(EXIT.usage, `bad arguments: parley ${args.join(' ')}`)
}

function table(rooms: RoomRow[]): string {
  const rows = [['NAME', 'ONLINE', 'CAP', 'OWNER', 'USED'], ...rooms.map((r) => [r.name, String(r.online), String(r.cap), r.site ?? r.creator ?? '-', r.used ? 'yes' : 'no'])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}

async function main(args: string[]): Promise<number> {
  const parsed = parse(args)
  if (parsed === 'help') {
    process.stdout.write(USAGE)
    return EXIT.ok
  }
  let dataDir: string
  try {
    dataDir = loadConfig(process.env).dataDir
  } catch (err) {
    if (err instanceof ConfigError) throw new Exit(EXIT.usage, `configuration error: ${err.message}`)
    throw err
  }
  const { request, json } = parsed
  const answer = await ask(join(dataDir, 'admin.sock'), request)
  if (!answer.ok) throw new Exit(answer.code === 'invalid' ? EXIT.usage : answer.code === 'internal' ? EXIT.failed : EXIT.refused, answer.message)
  if (request.op === 'rooms.list') process.stdout.write(json ? `${JSON.stringify(answer.rooms ?? [])}\n` : table(answer.rooms ?? []))
  else if (request.op === 'rooms.cap') process.stdout.write(`${request.room}: cap ${request.cap}\n`)
  else process.stdout.write(`${request.room}: closed\n`)
  return EXIT.ok
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`)
    if (!(err instanceof Exit)) process.exitCode = EXIT.failed
    else {
      if (err.code === EXIT.usage) process.stderr.write('Run `parley --help` for usage.\n')
      process.exitCode = err.code
    }
  }
)
