/**
 * @graphgrad/optim: the book's optimizers (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam) and
 * AdamW, with parameter groups and checkpointable state; learning-rate schedules (StepLR,
 * CosineAnnealingLR, ReduceLROnPlateau); gradient clipping; the `Trainer` with progress reporting,
 * validation each epoch, and the loss plot.
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
export { AdamW } from './optimizers/adam-w.ts';
export { type HyperparameterSpec, type HyperparameterSpecs } from './optimizers/hyperparameter.ts';
export { Momentum, type MomentumOptions } from './optimizers/momentum.ts';
export { Nesterov } from './optimizers/nesterov.ts';
export {
  Optimizer,
  type CommonHyperparameter,
  type OptimizerParams,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupOptions,
} from './optimizers/optimizer.ts';
export { RMSprop, type RMSpropOptions } from './optimizers/rms-prop.ts';
export { SGD, type SGDOptions } from './optimizers/sgd.ts';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './schedules/cosine-annealing-lr.ts';
export { LRScheduler } from './schedules/lr-scheduler.ts';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './schedules/reduce-lr-on-plateau.ts';
export { StepLR, type StepLROptions } from './schedules/step-lr.ts';
export { lossCurveSpec } from './plot/loss-curve.ts';
export { renderSvg, type VegaLiteSpec } from './plot/render-svg.ts';
export { saveFile } from '#save-file';
export { lineProgress } from './progress/line-progress.ts';
// The reporter `fit` uses when given none (a bar on a terminal under Node.js, the book's lines
// elsewhere), for training loops of one's own that should report as the Trainer does.
export { defaultProgress } from '#default-progress';
export {
  formatIntervalLine,
  type FitStart,
  type IntervalReport,
  type ProgressReporter,
} from './progress/progress-reporter.ts';
export {
  Trainer,
  type EpochReport,
  type FitOptions,
  type LossFunction,
  type TrainableModel,
  type TrainerOptions,
  type ValidationData,
} from './trainer.ts';
