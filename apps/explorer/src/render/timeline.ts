// The replay timeline: committed bytes of the process and live bytes of the trace against the number
// of events replayed, as a canvas line chart.
import { formatBytes, groupDigits } from '../format';
import { el, fitCanvas } from './dom';

export interface TimelineSample {
  events: number;
  committed: number;
  live: number;
}

const HEIGHT = 160;
const SERIES = [
  ['committed', '#cc0000', 'Committed (process)'],
  ['live', '#3d85c6', 'Live bytes (trace)'],
] as const;

export class Timeline {
  readonly element: HTMLElement;
  readonly samples: TimelineSample[] = [];
  private readonly canvas: HTMLCanvasElement;
  private totalEvents = 0;

  constructor() {
    this.canvas = el('canvas', { 'data-testid': 'timeline', class: 'timeline' });
    this.element = el(
      'div',
      {},
      this.canvas,
      el('div', { class: 'legend' }, ...SERIES.map(([, colour, label]) => el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${colour}` }), label))),
    );
  }

  reset(totalEvents: number): void {
    this.samples.length = 0;
    this.totalEvents = totalEvents;
  }

  add(sample: TimelineSample): void {
    this.samples.push(sample);
  }

  draw(): void {
    const { context, width, height } = fitCanvas(this.canvas, HEIGHT);
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    if (this.samples.length === 0) {
      context.fillStyle = '#888';
      context.font = '12px sans-serif';
      context.fillText('Replay a trace to see committed and live bytes over time.', 12, height / 2);
      return;
    }
    const left = 70;
    const plotWidth = width - left - 10;
    const plotHeight = height - 20;
    let maxY = 1;
    for (const s of this.samples) maxY = Math.max(maxY, s.committed, s.live);
    const maxX = Math.max(1, this.totalEvents, this.samples.at(-1)?.events ?? 1);
    context.fillStyle = '#444';
    context.font = '11px sans-serif';
    context.fillText(formatBytes(maxY), 2, 12);
    context.fillText('0', 2, plotHeight);
    context.fillText(`${groupDigits(maxX)} events`, width - 120, height - 4);
    context.strokeStyle = '#ccc';
    context.strokeRect(left, 2, plotWidth, plotHeight);
    for (const [field, colour] of SERIES) {
      context.strokeStyle = colour;
      context.lineWidth = 1.5;
      context.beginPath();
      this.samples.forEach((s, index) => {
        const x = left + (s.events / maxX) * plotWidth;
        const y = 2 + plotHeight - (s[field] / maxY) * plotHeight;
        if (index === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.stroke();
    }
  }
}
