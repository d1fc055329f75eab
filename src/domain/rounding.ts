// How a value is rounded before it is compared with a threshold, the same way everywhere (NEWS2's
// bands, qSOFA's criteria, the model's feature contract): as a person reads a chart.

/**
 * Rounds half up (away from zero) to `decimals` places, as a person reads a chart: 38.45 → 38.5,
 * 91.5 → 92. Binary noise from unit conversion is stripped first (101.3 °F converts to
 * 38.500000000000006 °C, 101.21 °F to 38.449999999999996 °C, which plain Math.round(v × 10) / 10 would
 * show as 38.4), so a value that is an exact half in decimal always rounds up. Twelve significant
 * digits is far beyond any vital's precision.
 */
export function roundHalfUp(value: number, decimals: number): number {
  // Whole numbers (most vitals) are already rounded: no string round trip for them. Below 1e11 with at
  // most three places, the general path below gives back the same number, exactly.
  if (Number.isInteger(value) && Math.abs(value) < 1e11 && decimals >= 0 && decimals <= 3) return value;
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(12));
  return (Math.sign(value) * Math.round(scaled)) / factor;
}
