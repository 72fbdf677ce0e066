/**
 * @graphgrad/optim: the book's optimizers (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam),
 * gradient clipping, the `Trainer` with progress reporting, and the loss plot.
 *
 * This entry is browser-safe: it imports no Node.js module at load time. `Trainer.plot(path)`
 * (and `saveFile`) import `node:fs` only when called; the terminal progress bar is picked through
 * the package's `#default-progress` import, which resolves to the cli-progress bar under Node.js
 * and to plain log lines elsewhere. `@graphgrad/optim/node` exports the terminal reporter itself.
 * @packageDocumentation
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
export { saveFile } from './plot/save-file.ts';
export { lineProgress } from './progress/line-progress.ts';
export { formatIntervalLine, type FitStart, type IntervalReport, type ProgressReporter } from './progress/progress-reporter.ts';
export { Trainer, type FitOptions, type TrainableModel } from './trainer.ts';
