// The report's pictures as SVG text written by hand: ROC curves, a calibration plot and score
// distributions. No charting library: a few axes, polylines and bars are all a reviewer needs, and
// SVG is text, so a picture is diffable and opens in any browser or Markdown viewer.
import type { CalibrationBin, RocPoint } from './metrics.js';
import type { Histogram } from './evaluate.js';

const WIDTH = 480;
const HEIGHT = 400;
const MARGIN = { left: 56, right: 16, top: 40, bottom: 48 };
const PLOT = { w: WIDTH - MARGIN.left - MARGIN.right, h: HEIGHT - MARGIN.top - MARGIN.bottom };
/** Colour-blind-safe (Okabe–Ito) and distinct in greyscale by dash. */
export const SERIES_STYLES = [
  { colour: '#0072B2', dash: '' },
  { colour: '#D55E00', dash: '6 3' },
  { colour: '#009E73', dash: '2 3' },
  { colour: '#CC79A7', dash: '8 3 2 3' },
] as const;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => (Math.round(v * 10) / 10).toString();

interface Axes {
  title: string;
  subtitle: string;
  x: { label: string; min: number; max: number; ticks: number[]; format: (v: number) => string };
  y: { label: string; min: number; max: number; ticks: number[]; format: (v: number) => string };
}

interface LegendItem {
  label: string;
  style: number;
}

/** Legend inside the plot, where the data are not: top left for bars and calibration, bottom right for ROC. */
type LegendPlace = 'top-left' | 'bottom-right';

function frame(axes: Axes, body: string[], legend: LegendItem[], place: LegendPlace, swatch: 'line' | 'box' = 'line'): string {
  const px = (v: number) => MARGIN.left + ((v - axes.x.min) / (axes.x.max - axes.x.min)) * PLOT.w;
  const py = (v: number) => MARGIN.top + PLOT.h - ((v - axes.y.min) / (axes.y.max - axes.y.min)) * PLOT.h;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<title>${escape(axes.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="16" font-size="13" font-weight="bold">${escape(axes.title)}</text>`,
    `<text x="${MARGIN.left}" y="30" fill="#555">${escape(axes.subtitle)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT.w}" height="${PLOT.h}" fill="none" stroke="#888"/>`,
  ];
  for (const t of axes.x.ticks) {
    parts.push(`<line x1="${n(px(t))}" y1="${MARGIN.top + PLOT.h}" x2="${n(px(t))}" y2="${MARGIN.top + PLOT.h + 4}" stroke="#888"/>`);
    parts.push(`<text x="${n(px(t))}" y="${MARGIN.top + PLOT.h + 16}" text-anchor="middle">${escape(axes.x.format(t))}</text>`);
  }
  for (const t of axes.y.ticks) {
    parts.push(`<line x1="${MARGIN.left - 4}" y1="${n(py(t))}" x2="${MARGIN.left}" y2="${n(py(t))}" stroke="#888"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${n(py(t) + 4)}" text-anchor="end">${escape(axes.y.format(t))}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + PLOT.w / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(axes.x.label)}</text>`);
  parts.push(
    `<text x="14" y="${MARGIN.top + PLOT.h / 2}" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + PLOT.h / 2})">${escape(axes.y.label)}</text>`,
  );
  parts.push(...body);
  const legendHeight = legend.length * 16 + 6;
  const lx = place === 'bottom-right' ? MARGIN.left + PLOT.w - 200 : MARGIN.left + 8;
  const ly = place === 'bottom-right' ? MARGIN.top + PLOT.h - legendHeight - 8 : MARGIN.top + 8;
  parts.push(`<rect x="${lx}" y="${ly}" width="192" height="${legendHeight}" fill="white" fill-opacity="0.85" stroke="#ddd"/>`);
  legend.forEach((item, i) => {
    const s = SERIES_STYLES[item.style % SERIES_STYLES.length] ?? SERIES_STYLES[0];
    const y = ly + 15 + i * 16;
    const x = lx + 6;
    parts.push(
      swatch === 'box'
        ? `<rect x="${x}" y="${y - 9}" width="24" height="9" fill="${s.colour}" fill-opacity="0.8"/>`
        : `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${s.colour}" stroke-width="2" stroke-dasharray="${s.dash}"/>`,
    );
    parts.push(`<text x="${x + 30}" y="${y}">${escape(item.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const unit = (min: number, max: number) => ({ min, max });
const percent = (v: number) => `${Math.round(v * 100)}%`;
const tenths = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** Round tick steps (1 %, 2 %, 5 %, 10 %…) up to at least `max`, at most 6 intervals. */
function niceTicks(max: number): number[] {
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((st) => max / st <= 6) ?? 0.25;
  const top = Math.min(1, Math.ceil(max / step - 1e-9) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Math.round(i * step * 1000) / 1000);
}

function scaler(axes: Pick<Axes, 'x' | 'y'>) {
  const px = (v: number) => MARGIN.left + ((v - axes.x.min) / (axes.x.max - axes.x.min)) * PLOT.w;
  const py = (v: number) => MARGIN.top + PLOT.h - ((v - axes.y.min) / (axes.y.max - axes.y.min)) * PLOT.h;
  return { px, py };
}

function polyline(points: [number, number][], style: number, width = 2): string {
  const s = SERIES_STYLES[style % SERIES_STYLES.length] ?? SERIES_STYLES[0];
  const path = points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
  return `<polyline points="${path}" fill="none" stroke="${s.colour}" stroke-width="${width}" stroke-dasharray="${s.dash}"/>`;
}

export interface CurveSeries {
  label: string;
  points: RocPoint[];
}

/** ROC curves of several scores on the same rows, with the chance diagonal. */
export function rocSvg(title: string, subtitle: string, series: readonly CurveSeries[]): string {
  const axes: Axes = {
    title,
    subtitle,
    x: { label: '1 − specificity (false positive rate)', ...unit(0, 1), ticks: tenths, format: percent },
    y: { label: 'sensitivity (true positive rate)', ...unit(0, 1), ticks: tenths, format: percent },
  };
  const { px, py } = scaler(axes);
  const body = [`<line x1="${n(px(0))}" y1="${n(py(0))}" x2="${n(px(1))}" y2="${n(py(1))}" stroke="#bbb" stroke-dasharray="3 3"/>`];
  series.forEach((s, i) =>
    body.push(
      polyline(
        s.points.map((p) => [px(p.falsePositiveRate), py(p.truePositiveRate)]),
        i,
      ),
    ),
  );
  return frame(
    axes,
    body,
    series.map((s, i) => ({ label: s.label, style: i })),
    'bottom-right',
  );
}

/** Observed event rate against mean predicted probability per bin, with the line of perfect calibration. */
export function calibrationSvg(title: string, subtitle: string, table: readonly CalibrationBin[]): string {
  const ticks = niceTicks(Math.max(0.05, ...table.flatMap((b) => [b.meanPredicted, b.observed])));
  const top = ticks[ticks.length - 1] ?? 1;
  const axes: Axes = {
    title,
    subtitle,
    x: { label: 'mean predicted probability (per bin)', ...unit(0, top), ticks, format: percent },
    y: { label: 'observed event rate (per bin)', ...unit(0, top), ticks, format: percent },
  };
  const { px, py } = scaler(axes);
  const body = [`<line x1="${n(px(0))}" y1="${n(py(0))}" x2="${n(px(top))}" y2="${n(py(top))}" stroke="#bbb" stroke-dasharray="3 3"/>`];
  const points = table.map((b): [number, number] => [px(b.meanPredicted), py(b.observed)]);
  body.push(polyline(points, 0));
  for (const [x, y] of points) body.push(`<circle cx="${n(x)}" cy="${n(y)}" r="3" fill="${SERIES_STYLES[0].colour}"/>`);
  return frame(axes, body, [{ label: 'model (bins of equal size)', style: 0 }], 'top-left');
}

/** Side-by-side bars: the share of moments with and without an event in each score bin. */
export function distributionSvg(title: string, subtitle: string, histogram: Histogram, binLabel: (i: number) => string): string {
  const bins = histogram.positives.length;
  const ticks = niceTicks(Math.max(0.05, ...histogram.positives, ...histogram.negatives) * 1.35);
  const top = ticks[ticks.length - 1] ?? 1;
  const axes: Axes = {
    title,
    subtitle,
    x: { label: '', ...unit(0, bins), ticks: [], format: () => '' },
    y: { label: 'share of moments in the group', ...unit(0, top), ticks, format: percent },
  };
  const { px, py } = scaler(axes);
  const body: string[] = [];
  const barWidth = PLOT.w / bins / 2.5;
  for (let i = 0; i < bins; i++) {
    const groups: [number, number][] = [
      [histogram.negatives[i] ?? 0, 1],
      [histogram.positives[i] ?? 0, 0],
    ];
    groups.forEach(([share, style], k) => {
      const s = SERIES_STYLES[style] ?? SERIES_STYLES[0];
      const x = px(i) + PLOT.w / bins / 2 - barWidth + k * barWidth;
      body.push(
        `<rect x="${n(x)}" y="${n(py(share))}" width="${n(barWidth)}" height="${n(py(0) - py(share))}" fill="${s.colour}" fill-opacity="0.8"/>`,
      );
    });
    const cx = px(i) + PLOT.w / bins / 2;
    body.push(
      `<text x="${n(cx)}" y="${MARGIN.top + PLOT.h + 14}" text-anchor="end" font-size="9" transform="rotate(-35 ${n(cx)} ${MARGIN.top + PLOT.h + 14})">${escape(binLabel(i))}</text>`,
    );
  }
  return frame(
    axes,
    body,
    [
      { label: 'event within the window', style: 0 },
      { label: 'no event within the window', style: 1 },
    ],
    'top-left',
    'box',
  );
}
