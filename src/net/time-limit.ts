// A time limit on some work that can be ended early: a signal that aborts when the time passes or
// when a parent signal aborts, whichever comes first, and `done()` to call once the work is over.
// `AbortSignal.timeout` and `AbortSignal.any` cannot be ended early: each leaves its timer armed and
// its listener on the parent until the time passes, and then builds a DOMException and dispatches an
// abort event for work that finished long ago. On the FHIR fetch path that was six timers per hook
// call (the call's deadline and one per search), each firing seconds after the answer.

export interface TimeLimit {
  /** Aborts when the time passes or the parent aborts. */
  readonly signal: AbortSignal;
  /** Whether it was the time passing (not the parent) that aborted it. */
  timedOut(): boolean;
  /** The work is over: the timer is stopped and the parent let go. Safe to call more than once. */
  done(): void;
}

export function timeLimit(ms: number, parent?: AbortSignal): TimeLimit {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = (): void => {
    clearTimeout(timer);
    controller.abort(parent?.reason);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    parent?.removeEventListener('abort', onParentAbort);
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  // As AbortSignal.timeout's: a pending limit does not keep the process alive by itself.
  timer.unref();
  if (parent?.aborted === true) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
