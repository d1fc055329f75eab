// `{ ...base, field: value }` written so that Node 20's V8 can share hidden classes between calls.
//
// A spread that comes first in an object literal is compiled as a copy of `base` whose hidden class
// (V8 "map") is detached from the transition tree; each property added after it then makes a brand-new
// map, on every evaluation. Measured on Node 20.20 (V8 11.3), 200,000 evaluations of
// `{ ...labels, band }`: 199,962 maps created (`node --log-maps`), 149 ms, against 2 maps and 23 ms
// for `Object.assign({}, labels, { band })` and 10 ms for a plain literal. Under the benchmark's
// patient-view load five such literals made ~5 maps per call; with their descriptor arrays, enum
// caches and inline-cache handlers they were most of what the event loop promoted to the old
// generation (~1.75 KB per call, down to ~0.7 KB without them), the saw-tooth in resident memory, and
// property reads on those objects never settled into a cache (bench/RESULTS.md, "Ninth pass").
// Object.assign onto a fresh `{}` adds the properties through the shared tree instead.
//
// Differences from a spread: Object.assign *sets* each property on the new object, so an own property
// named `__proto__` in `base` would set its prototype. Callers pass Vigil's own objects here, never a
// parsed request body (whose poisoned keys are refused before anything reads it).

/** A copy of `base` with `fields` added or replaced, as `{ ...base, ...fields }`. */
export function withFields<B extends object, F extends object>(base: B, fields: F): Omit<B, keyof F> & F {
  return Object.assign({}, base, fields);
}
