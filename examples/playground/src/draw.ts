/**
 * The page's two canvases: the decision boundary (the book's Figure 1-32, shaded by the net's
 * confidence) under the spiral's points, and the loss curve.
 */
import type { Spiral } from '@graphgrad/datasets';

/** The three arms' colours (Vega's category10, as in the Node example's figure). */
const CLASS_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
];

/** The square of the plane the boundary picture shows: every spiral point lies in the unit disk. */
const VIEW = { min: -1.1, max: 1.1 } as const;

/** Cells per side of the grid the net is evaluated on; the canvas scales it up smoothly. */
const GRID_RESOLUTION = 80;

/**
 * The centres of the grid's cells as points (x0, y0, x1, y1, …), row by row from the top of the
 * picture, where the second coordinate is largest.
 *
 * @example
 * const probabilities = await session.classProbabilities(gridPoints());
 */
export function gridPoints(resolution: number = GRID_RESOLUTION): Float32Array {
  const points = new Float32Array(resolution * resolution * 2);
  const cell = (VIEW.max - VIEW.min) / resolution;
  for (let row = 0; row < resolution; row++) {
    for (let col = 0; col < resolution; col++) {
      const i = 2 * (row * resolution + col);
      points[i] = VIEW.min + (col + 0.5) * cell;
      points[i + 1] = VIEW.max - (row + 0.5) * cell;
    }
  }
  return points;
}

/**
 * Paints each grid cell in the colour of its most probable class, paler where the net is unsure
 * (a probability of 1/3 is white), then the spiral's points on top.
 *
 * @param probabilities the class probabilities at `gridPoints(resolution)`, [cells, classes] row-major
 * @example
 * drawBoundary(canvas, await session.classProbabilities(gridPoints()), session.spiral);
 */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  probabilities: Float32Array,
  spiral: Spiral,
  resolution: number = GRID_RESOLUTION,
): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  const { classes } = spiral;
  const image = new ImageData(resolution, resolution);
  for (let cell = 0; cell < resolution * resolution; cell++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[cell * classes + c] > probabilities[cell * classes + best]) best = c;
    // 0 at chance (1/classes), 1 at certainty; kept below full colour so the points stand out.
    const confidence = (probabilities[cell * classes + best] - 1 / classes) / (1 - 1 / classes);
    const strength = 0.55 * Math.min(1, Math.max(0, confidence));
    const color = CLASS_COLORS[best % CLASS_COLORS.length];
    for (let channel = 0; channel < 3; channel++)
      image.data[4 * cell + channel] = 255 + (color[channel] - 255) * strength;
    image.data[4 * cell + 3] = 255;
  }
  // Draw the small grid on a scratch canvas, then stretch it: the browser smooths the cell edges.
  const scratch = document.createElement('canvas');
  scratch.width = scratch.height = resolution;
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);

  const scale = canvas.width / (VIEW.max - VIEW.min);
  for (let i = 0; i < spiral.labels.length; i++) {
    const [r, g, b] = CLASS_COLORS[spiral.labels[i] % CLASS_COLORS.length];
    context.beginPath();
    context.arc(
      (spiral.points[2 * i] - VIEW.min) * scale,
      (VIEW.max - spiral.points[2 * i + 1]) * scale,
      3.5,
      0,
      2 * Math.PI,
    );
    context.fillStyle = `rgb(${r}, ${g}, ${b})`;
    context.fill();
    context.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    context.stroke();
  }
}

/**
 * Plots the mean loss of each epoch, with the y axis from 0 to at least the loss at chance
 * (ln 3 ≈ 1.10, where every run starts).
 *
 * @example
 * drawLossCurve(canvas, session.lossHistory);
 */
export function drawLossCurve(canvas: HTMLCanvasElement, history: readonly number[]): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  const { width, height } = canvas;
  const margin = { left: 40, right: 10, top: 10, bottom: 24 };
  const [plotWidth, plotHeight] = [width - margin.left - margin.right, height - margin.top - margin.bottom];
  const finite = history.filter(Number.isFinite);
  const yMax = Math.max(1.2, ...finite);
  const epochs = Math.max(10, history.length);
  const x = (epoch: number) => margin.left + (epoch / epochs) * plotWidth;
  const y = (loss: number) => margin.top + (1 - loss / yMax) * plotHeight;

  context.fillStyle = 'white';
  context.fillRect(0, 0, width, height);
  context.strokeStyle = '#999';
  context.fillStyle = '#555';
  context.font = '11px sans-serif';
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(margin.left, margin.top);
  context.lineTo(margin.left, margin.top + plotHeight);
  context.lineTo(margin.left + plotWidth, margin.top + plotHeight);
  context.stroke();
  for (const tick of [0, yMax / 2, yMax]) {
    context.fillText(tick.toFixed(2), 4, y(tick) + 4);
  }
  context.fillText(`epoch ${history.length}`, margin.left + plotWidth - 60, height - 6);

  context.strokeStyle = '#d62728';
  context.lineWidth = 2;
  context.beginPath();
  history.forEach((loss, i) => {
    const point: [number, number] = [x(i + 1), y(Number.isFinite(loss) ? loss : yMax)];
    if (i === 0) context.moveTo(...point);
    else context.lineTo(...point);
  });
  context.stroke();
}
