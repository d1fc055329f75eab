// Counts by reason, for the report's "what was read and what was skipped" tables. The number of
// distinct reasons is bounded: a reason may quote a unit or a status from the file, and a damaged
// export must not grow the report without end.
export interface TallyRow {
  reason: string;
  count: number;
}

const MAX_REASONS = 60;
const OTHER = 'other reasons (too many distinct reasons to list)';

export class Tally {
  private readonly counts = new Map<string, number>();

  add(reason: string, count = 1): void {
    const key = this.counts.has(reason) || this.counts.size < MAX_REASONS ? reason : OTHER;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Most frequent first; ties alphabetical, so reports are stable. */
  rows(): TallyRow[] {
    return [...this.counts.entries()]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }
}
