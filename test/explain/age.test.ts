import { describe, expect, it } from 'vitest';
import { formatAge } from '../../src/explain/age.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

describe('how old a charted value reads on a card', () => {
  it.each([
    [0, 'just now'],
    [1, 'just now'],
    [2, '2 min ago'],
    [59, '59 min ago'],
    [60, '1 h ago'],
    [95, '1 h 35 min ago'],
    [6 * 60 + 30, '6 h ago'],
    [30 * 60, '30 h ago'],
    [48 * 60, '2 days ago'],
    [90 * 24 * 60, '3 months ago'],
    [3 * 365.25 * 24 * 60, '3 years ago'],
  ])('%d minutes reads as "%s"', (minutes, words) => {
    expect(formatAge(ago(minutes), NOW)).toBe(words);
  });
});
