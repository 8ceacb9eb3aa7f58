import { describe, expect, it } from 'vitest';
import { backoffDelay, nextServerIndex } from './reconnect';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap and stays within [cap/2, cap]', () => {
    const lo = () => 0;
    const hi = () => 0.999999;
    expect(backoffDelay(0, { baseMs: 500, maxMs: 30_000 }, lo)).toBe(250);
    expect(backoffDelay(0, { baseMs: 500, maxMs: 30_000 }, hi)).toBe(500);
    expect(backoffDelay(3, { baseMs: 500, maxMs: 30_000 }, lo)).toBe(2000);
    expect(backoffDelay(50, { baseMs: 500, maxMs: 30_000 }, hi)).toBe(30_000);
    for (let a = 0; a < 30; a++) {
      const d = backoffDelay(a);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(30_000);
    }
  });
});

describe('nextServerIndex', () => {
  it('fails over round-robin', () => {
    expect(nextServerIndex(0, 3)).toBe(1);
    expect(nextServerIndex(2, 3)).toBe(0);
    expect(nextServerIndex(0, 1)).toBe(0);
    expect(() => nextServerIndex(0, 0)).toThrow();
  });
});
