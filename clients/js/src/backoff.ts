/** Jittered exponential backoff: how long to wait before reconnect attempt `attempt` (0 = the first). */
export interface BackoffOptions {
  /** The ceiling of the first wait, ms (default 500). */
  initialMs?: number;
  /** The largest wait, ms (default 30,000). */
  maxMs?: number;
}

/**
 * "Full jitter": a uniform wait in [0, min(maxMs, initialMs · 2^attempt)]. When a gateway dies, its thousands of
 * clients reconnect spread over the whole window instead of in waves; the first attempt comes within `initialMs`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions | undefined, random: () => number): number {
  const initial = clamp(options?.initialMs ?? 500, 1, 3_600_000);
  const max = clamp(options?.maxMs ?? 30_000, initial, 3_600_000);
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(clamp(random(), 0, 1) * ceiling);
}

/** `value` within [min, max]; NaN becomes `min`. */
export function clamp(value: number, min: number, max: number): number {
  return Number.isNaN(value) ? min : Math.min(max, Math.max(min, value));
}
