// Every list a card shows is capped: a card is read at a glance, and a caller must not be able to make
// one the size of a book (a feed of 2,000 unreadable values once produced a 167 KB card).

/** The most lines of any one list on a card. */
export const MAX_CARD_LIST_LINES = 8;

/** Keeps the first `max` lines (callers put the most important first) and says how many were left out. */
export function capLines(lines: readonly string[], what: string, max = MAX_CARD_LIST_LINES): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `- … and ${lines.length - max} more ${what} not shown`];
}
