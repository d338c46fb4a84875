// A small dependency-free SVG bar chart (no chart library; works offline under a strict CSP).
const SVG_NS = 'http://www.w3.org/2000/svg';

// Drawing area in SVG user units; the SVG scales to its container width through its viewBox.
const WIDTH = 600;
const HEIGHT = 180;
const PAD_LEFT = 44;
const PAD_BOTTOM = 24;
const PAD_TOP = 10;
const PAD_RIGHT = 8;

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * renderBarChart(container, [{label: '2026-11-20', value: 3}], {title, formatValue})
 * Bars with a <title> tooltip each; the SVG is role="img" with a text summary for screen readers.
 */
export function renderBarChart(container, points, { title, formatValue = (v) => String(v), className = '' } = {}) {
  const max = Math.max(0, ...points.map((p) => p.value));
  const total = points.reduce((sum, p) => sum + p.value, 0);
  const svg = svgEl('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    class: `bar-chart ${className}`.trim(),
    'aria-label': `${title}: ${points.length} days, total ${formatValue(total)}, highest ${formatValue(max)}`,
  });
  const plotWidth = WIDTH - PAD_LEFT - PAD_RIGHT;
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  // Axis and the max gridline.
  svg.append(
    svgEl('line', {
      x1: PAD_LEFT,
      y1: PAD_TOP + plotHeight,
      x2: WIDTH - PAD_RIGHT,
      y2: PAD_TOP + plotHeight,
      class: 'axis',
    }),
  );
  svg.append(svgEl('line', { x1: PAD_LEFT, y1: PAD_TOP, x2: WIDTH - PAD_RIGHT, y2: PAD_TOP, class: 'grid' }));
  svg.append(svgEl('text', { x: PAD_LEFT - 4, y: PAD_TOP + 4, class: 'tick', 'text-anchor': 'end' }, formatValue(max)));
  svg.append(
    svgEl('text', { x: PAD_LEFT - 4, y: PAD_TOP + plotHeight, class: 'tick', 'text-anchor': 'end' }, formatValue(0)),
  );
  if (points.length === 0) {
    svg.append(svgEl('text', { x: WIDTH / 2, y: HEIGHT / 2, class: 'empty', 'text-anchor': 'middle' }, 'No data yet'));
  }
  const slot = points.length ? plotWidth / points.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.7);
  points.forEach((point, i) => {
    const h = max > 0 ? (point.value / max) * plotHeight : 0;
    const x = PAD_LEFT + i * slot + (slot - barWidth) / 2;
    const bar = svgEl('rect', {
      x,
      y: PAD_TOP + plotHeight - h,
      width: barWidth,
      height: Math.max(h, point.value > 0 ? 1 : 0),
      class: 'bar',
    });
    bar.append(svgEl('title', {}, `${point.label}: ${formatValue(point.value)}`));
    svg.append(bar);
  });
  // First and last day labels keep the axis readable at phone width.
  if (points.length > 0) {
    svg.append(svgEl('text', { x: PAD_LEFT, y: HEIGHT - 6, class: 'tick', 'text-anchor': 'start' }, points[0].label));
    if (points.length > 1)
      svg.append(
        svgEl(
          'text',
          { x: WIDTH - PAD_RIGHT, y: HEIGHT - 6, class: 'tick', 'text-anchor': 'end' },
          points[points.length - 1].label,
        ),
      );
  }
  container.replaceChildren(svg);
}
