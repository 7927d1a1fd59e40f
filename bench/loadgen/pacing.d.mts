export function firstDue(t0: number, periodMs: number, lastSentAt: number | undefined, random: number): number
