/**
 * @graphgrad/optim: the book's optimizers (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam),
 * gradient clipping, the `Trainer` with progress reporting, and the loss plot.
 *
 * This entry is browser-safe: it imports no Node.js module. The two Node-only parts are picked
 * through the package's conditional imports (`"imports"` in package.json), which resolve by the
 * `node` condition: `#default-progress` is the cli-progress bar under Node.js and plain log lines
 * elsewhere; `#save-file` (behind `Trainer.plot(path)` and `saveFile`) writes with `node:fs` under
 * Node.js and throws in a browser, where `lossCurveSvg()` gives the SVG string.
 * `@graphgrad/optim/node` exports the terminal reporter itself, for explicit use.
 * @module @graphgrad/optim
 */
export { clipGrads } from './clip-grads.ts';
export { AdaGrad, type AdaGradOptions } from './optimizers/ada-grad.ts';
export { Adam, type AdamOptions } from './optimizers/adam.ts';
export { Momentum, type MomentumOptions } from './optimizers/momentum.ts';
export { Nesterov } from './optimizers/nesterov.ts';
export { Optimizer } from './optimizers/optimizer.ts';
export { RMSprop, type RMSpropOptions } from './optimizers/rms-prop.ts';
export { SGD, type SGDOptions } from './optimizers/sgd.ts';
export { lossCurveSpec } from './plot/loss-curve.ts';
export { renderSvg, type VegaLiteSpec } from './plot/render-svg.ts';
export { saveFile } from '#save-file';
export { lineProgress } from './progress/line-progress.ts';
export {
  formatIntervalLine,
  type FitStart,
  type IntervalReport,
  type ProgressReporter,
} from './progress/progress-reporter.ts';
export { Trainer, type FitOptions, type TrainableModel } from './trainer.ts';
