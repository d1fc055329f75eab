// Time-boxed property tests that still prove something on a slow machine: a stated minimum number of
// cases always runs, whatever the time box says; then more cases run while the box has time left
// (VIGIL_FUZZ_MS lengthens it locally). Each test reports how many cases it ran.
import fc from 'fast-check';

export interface TimeBox {
  /** Cases that run whatever the machine's speed: the floor the test's claim rests on. */
  minRuns: number;
  /** Further cases run until this much time (from the start) has passed. */
  timeLimitMs: number;
  /** No more than this many cases in all. */
  maxRuns?: number;
}

/** The default time box of the fuzz tests; VIGIL_FUZZ_MS=60000 runs them for a minute each. */
export const FUZZ_TIME_LIMIT_MS = Number(process.env.VIGIL_FUZZ_MS ?? 4_000);

function throwIfFailed<Ts>(details: fc.RunDetails<Ts>): void {
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'property failed');
}

/**
 * Runs `property` for at least `box.minRuns` cases, then for as many more as fit in the time box.
 * Throws fast-check's report (seed, path and counterexample) on the first failure; returns the
 * number of cases run, which the caller reports (`annotate`) and asserts against its minimum.
 */
export async function checkTimeBoxed<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, box: TimeBox): Promise<number> {
  const started = performance.now();
  const floor = await fc.check(property as fc.IAsyncProperty<Ts>, { numRuns: box.minRuns });
  throwIfFailed(floor);
  let ran = floor.numRuns;
  const left = box.timeLimitMs - (performance.now() - started);
  const more = (box.maxRuns ?? 100_000) - ran;
  if (left > 0 && more > 0) {
    const extra = await fc.check(property as fc.IAsyncProperty<Ts>, { numRuns: more, interruptAfterTimeLimit: left });
    throwIfFailed(extra);
    ran += extra.numRuns;
  }
  return ran;
}

/** Runs the property and records "N cases (minimum M)" on the test, so a run too short to mean much is visible. */
export async function propertyRuns<Ts>(
  annotate: (message: string) => Promise<unknown>,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  box: TimeBox,
): Promise<number> {
  const ran = await checkTimeBoxed(property, box);
  const said = `${ran} cases (minimum ${box.minRuns})`;
  await annotate(said); // in vitest's reports (verbose, JSON)
  console.info(`property test: ${said}`); // and in the default reporter's output
  return ran;
}
