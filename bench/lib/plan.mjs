// Sizes and durations of each run mode. --quick must finish in under 2 minutes for all three
// servers and every scenario (on a machine that is not busy otherwise); the full run is what
// the targets are judged on. Senders are always distinct users (the limit is per user), so the
// number of users bounds the senders; clients beyond the users reuse them (a user may hold
// several sockets). budgetMs: the time for all servers together, shared equally; the knee
// stops climbing once its server's share is spent, scenarios are skipped only past twice the
// budget, and everything is killed at 3x (the plans below fit their budget on an idle machine).
export const PLANS = {
  quick: {
    reps: 2,
    connectReps: 2,
    workers: 2,
    users: 200,
    connectN: 200,
    fanoutClients: 1000,
    lightSenders: 5,
    lightReps: 1,
    baseSenders: 20,
    stepMs: 1200,
    drainMs: 800,
    kneeSenders: [40, 70, 120, 200],
    rooms: { count: 100, size: 10 },
    idle: [500, 1000],
    idleSettleMs: 500,
    budgetMs: 110_000
  },
  full: {
    reps: 3,
    // Connect's CPU per connection moves by +-20 % from one run to the next on a shared 2-vCPU
    // machine (both servers, after warm-up); a median of 5 steadies the ratio at ~7 s per server.
    connectReps: 5,
    workers: 2,
    users: 1000,
    connectN: 1000,
    fanoutClients: 1000,
    lightSenders: 5,
    lightReps: 3,
    baseSenders: 20,
    stepMs: 6000,
    drainMs: 4000,
    kneeSenders: [30, 45, 68, 100, 150, 225, 340, 500, 760, 1000],
    rooms: { count: 100, size: 10 },
    idle: [5000, 10000],
    idleSettleMs: 1000,
    budgetMs: 20 * 60_000
  }
}

/** Every sender stays below Parley's 1 message/s/user: 0.95/s, so 20 senders in a room of 1,000 = 19,000 deliveries/s. */
export const SEND_PERIOD_MS = 1000 / 0.95
/** Client source addresses: 127.0.0.2 .. 127.0.0.21, so per-address caps see at most 1/20 of the sockets. */
export const ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`)
/** A measured window is flagged noisy when other processes kept more than this many cores busy during it. */
export const NOISY_BG_CORES = 0.3
/** Counting clients that are busy read every this many ms (loadgen/rawsocket.mjs); 0 reads every frame at once. */
export const READ_BATCH_MS = 100
/** A knee step that explodes in a noisy window is run again, at most this many times per server. */
export const KNEE_NOISY_RERUNS = 2
/**
 * --instructions (bench/lib/callgrind.mjs): the connect scenario once more per server, under
 * callgrind (~50x slower): fewer connections, fewer in flight (per worker), 3 windows of each
 * kind (a stray major GC or JIT compile in one window moves it), and a bound on each server's whole pass (start under valgrind, logins, warm-up, both measured windows).
 */
export const INSTRUCTIONS = { n: 200, warmup: 200, reps: 3, concurrency: 4, openTimeoutMs: 120_000, startMs: 300_000, passMs: 900_000 }
