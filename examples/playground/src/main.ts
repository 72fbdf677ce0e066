/**
 * The playground page: wires the form to a training run, and the run to the pictures.
 *
 * Any change of a setting starts a new run (new weights, same data); Start and Pause drive the
 * loop; Reset starts the same settings over.
 */
import { backendFor, describeBackend, probeWebGPU } from './backends.ts';
import { Controls } from './controls.ts';
import { drawBoundary, drawLossCurve, gridPoints } from './draw.ts';
import { showGraph } from './graph.ts';
import { TrainingLoop, TrainingSession } from './training.ts';

/** The book seeds numpy with 1984; the same seed here makes every run of a setting the same. */
const SEED = 1984;

/** The element `selector` finds; the page's HTML defines every one the script looks for. */
function required<T extends Element>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new TypeError(`playground: the page has no ${selector}`);
  return found;
}

const controls = new Controls();
const boundaryCanvas = required<HTMLCanvasElement>('#boundary');
const lossCanvas = required<HTMLCanvasElement>('#loss-curve');
const graphContainer = required<HTMLElement>('#graph');

const grid = gridPoints();
let session: TrainingSession | null = null;

/** Shows the run's epoch, loss, loss curve and decision boundary as they are now. */
async function redraw(): Promise<void> {
  if (session === null) return;
  controls.showProgress(session.epoch, session.lossHistory.at(-1));
  drawLossCurve(lossCanvas, session.lossHistory);
  drawBoundary(boundaryCanvas, await session.classProbabilities(grid), session.spiral);
}

function reportFailure(error: unknown): void {
  controls.showState('failed');
  controls.say(`Training stopped: ${error instanceof Error ? error.message : String(error)}`);
  console.error(error);
}

const loop = new TrainingLoop({
  step: async () => session?.step(),
  redraw,
  failed: reportFailure,
});

const probe = await probeWebGPU();
controls.offerBackends(probe.backend !== null, probe.reason);

/** Stops the current run and starts a new one with the form's settings (paused). */
async function newRun(): Promise<void> {
  controls.showState('loading');
  await loop.pause();
  session?.dispose();
  session = null;
  const settings = controls.read();
  const backend = backendFor(settings.backend, probe);
  session = new TrainingSession({ ...settings, backend, seed: SEED });
  controls.showBackend(describeBackend(backend));
  await redraw();
  controls.showState('ready');
  // The picture comes when Graphviz's WebAssembly has loaded; training need not wait for it.
  showGraph(graphContainer, session.lossGraphDot()).catch((error: unknown) => {
    graphContainer.textContent = `The graph could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
  });
}

// Runs are started one after another, however fast the user changes the settings.
let queue: Promise<void> = Promise.resolve();
function enqueueNewRun(): void {
  queue = queue.then(newRun).catch(reportFailure);
}

controls.form.addEventListener('change', enqueueNewRun);
controls.reset.addEventListener('click', enqueueNewRun);
controls.start.addEventListener('click', () => {
  loop.start();
  controls.showState('training');
});
controls.pause.addEventListener('click', () => {
  void loop.pause().then(() => {
    if (session !== null) controls.showState('paused');
  });
});

enqueueNewRun();
