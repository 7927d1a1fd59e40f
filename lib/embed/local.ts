// The embed ports' local adapters: tickets and the widget's limits in this process's memory.
import type { Config } from '../shared/config.js'
import type { Adapters, RateLimit } from '../shared/ports.js'
import { createRateLimiter } from '../shared/rate-limiter.js'
import { createTicketStore } from './embed-tickets.js'
import { TICKET_TTL_MS, TICKETS_PER_SESSION, type TicketStore } from './ports.js'

/** The widget's rate limits. */
export interface EmbedLimits {
  /** Tickets per widget session and per client address: each is a random draw and a stored entry. */
  ticketsPerSession: RateLimit
  ticketsPerAddress: RateLimit
  /** New guests per client address: ending a guest to start the next (which frees its live slot) is not free. */
  newGuests: RateLimit
}

export interface EmbedPorts {
  embedTickets: TicketStore
  embedLimits: EmbedLimits
}

export function createLocalEmbed(config: Config): Adapters<EmbedPorts> {
  const embedTickets = createTicketStore(TICKET_TTL_MS, Date.now, { perSession: TICKETS_PER_SESSION, max: config.maxTickets })
  const perSession = createRateLimiter(config.ticketsPerSessionPerMin / 60, { burst: config.ticketsPerSessionPerMin })
  const perAddress = createRateLimiter(config.ticketsPerIpPerMin / 60, { burst: config.ticketsPerIpPerMin })
  const newGuests = createRateLimiter(config.guestsPerIpPerHour / 3600, { burst: config.guestsPerIpPerHour })
  const timer = setInterval(() => {
    embedTickets.prune()
    perSession.prune()
    perAddress.prune()
    newGuests.prune()
  }, TICKET_TTL_MS).unref()
  return {
    ports: { embedTickets, embedLimits: { ticketsPerSession: perSession, ticketsPerAddress: perAddress, newGuests } },
    async close() {
      clearInterval(timer)
    }
  }
}
