// How long a round's calls waited for their audit records, read from Vigil's own histogram
// (`vigil_audit_record_wait_seconds`, src/observability/metrics.ts) before and after the round: the
// part of a call's latency that is the audit trail (gathering a batch, the durable write, the event
// loop seeing it done). On this 2-vCPU VM that is about half of a patient-view call's latency under
// load (bench/RESULTS.md, seventeenth and twentieth passes): a run that shows it beside the latency
// says whether the write or the path moved. Read over plain HTTP from GET /metrics, between rounds,
// never while a round is timed. Only a single Vigil process: a cluster's processes each keep their
// own histogram, and a scrape reaches one of them.

/** The histogram's running totals: seconds waited, calls that waited. */
export interface WaitTotals {
  sum: number;
  count: number;
}

const SUM = /^vigil_audit_record_wait_seconds_sum(?:\{[^}]*\})? (\S+)$/m;
const COUNT = /^vigil_audit_record_wait_seconds_count(?:\{[^}]*\})? (\S+)$/m;

/** The totals from a Prometheus text exposition, or undefined when it has no such histogram. */
export function parseRecordWait(exposition: string): WaitTotals | undefined {
  const sum = SUM.exec(exposition)?.[1];
  const count = COUNT.exec(exposition)?.[1];
  if (sum === undefined || count === undefined) return undefined;
  const totals = { sum: Number(sum), count: Number(count) };
  return Number.isFinite(totals.sum) && Number.isFinite(totals.count) ? totals : undefined;
}

/** Mean milliseconds waited per call between two readings; undefined when no call waited in between. */
export function meanWaitMs(before: WaitTotals, after: WaitTotals): number | undefined {
  const calls = after.count - before.count;
  return calls > 0 ? ((after.sum - before.sum) / calls) * 1000 : undefined;
}

/**
 * The totals a server on 127.0.0.1 reports now; undefined when it serves no such histogram or the
 * scrape fails: the column is a diagnosis, and a run's throughput and targets stand without it.
 */
export async function scrapeRecordWait(port: number): Promise<WaitTotals | undefined> {
  try {
    const answer = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await answer.text();
    return answer.ok ? parseRecordWait(text) : undefined;
  } catch {
    return undefined;
  }
}
