// How deep a parsed JSON value nests. A call's context is a few levels deep, FHIR resources a dozen or
// two; thousands of levels are an attack or a broken client. Such a value parses (V8's JSON.parse does
// not recurse), but copying it to another thread and back recurses, and the event loop's stack is
// smaller than a worker's: a value a digest thread could send back, the event loop could not read,
// and the call hung (found by fuzzing, 2026-11-29).

/** True when `value` holds objects or arrays nested more than `limit` deep. Iterative; stops early. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
