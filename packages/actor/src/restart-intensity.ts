import type { Clock } from './clock.js';

/**
 * A supervisor's restart budget (OTP `add_restart/1`): more than `intensity` restarts
 * within `period` seconds means the supervisor gives up. Restarts at or after
 * `now - period` count, so with intensity 1 and period 5, a second restart exactly 5 s
 * after the first still fails and one a millisecond later passes.
 */
export class RestartIntensity {
  /** Times of recent restarts (node clock, ms), oldest first. */
  private restarts: number[] = [];

  constructor(
    private readonly clock: Clock,
    readonly intensity: number,
    /** Seconds. */
    readonly period: number,
  ) {}

  /** Records a restart now; false when that makes one too many (the supervisor must shut down). */
  add(): boolean {
    const now = this.clock.now();
    const threshold = now - this.period * 1000;
    let drop = 0;
    while (drop < this.restarts.length && this.restarts[drop]! < threshold) drop++;
    if (drop > 0) this.restarts.splice(0, drop);
    this.restarts.push(now);
    return this.restarts.length <= this.intensity;
  }

  /** Restarts inside the current window. */
  get count(): number {
    return this.restarts.length;
  }
}

/** Checks `intensity` (integer >= 0) and `period` (seconds > 0) as OTP's `check_flags/1` does. */
export function checkIntensity(intensity: unknown, period: unknown): unknown {
  if (!(typeof intensity === 'number' && Number.isInteger(intensity) && intensity >= 0))
    return ['invalid_intensity', intensity];
  if (!(typeof period === 'number' && period > 0 && Number.isFinite(period)))
    return ['invalid_period', period];
  return undefined;
}
