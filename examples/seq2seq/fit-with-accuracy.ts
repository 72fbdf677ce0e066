/**
 * The book's chapter-7 and chapter-8 training loop: one `Trainer.fit` over every epoch (Adam, lr
 * 0.001, gradients clipped to a norm of 5.0, the book's line every 20 iterations), and after each
 * epoch every validation question decoded greedily and scored by exact match, as the book's
 * `train_seq2seq.py` does with `eval_seq2seq` after each `fit(max_epoch=1)`.
 */
import { Adam, Trainer, type ProgressReporter } from 'graphgrad';
import { accuracy } from './accuracy.ts';
import type { EncoderDecoder } from './seq2seq.ts';
import type { SplitTensors } from './sequence-data.ts';

/** The figures of one epoch. */
export interface EpochFigures {
  readonly epoch: number;
  /** The mean training loss over the epoch. */
  readonly loss: number;
  /** Exact-match validation accuracy, from 0 to 1. */
  readonly accuracy: number;
  /** Seconds of training (the evaluation not included). */
  readonly trainSeconds: number;
  /** Seconds of decoding and scoring the validation rows. */
  readonly evalSeconds: number;
}

/** How to train. */
export interface FitWithAccuracyOptions {
  /** Names the model in each epoch's line. */
  readonly name: string;
  readonly epochs: number;
  readonly batchSize: number;
  /** Seeds the shuffling of every epoch. */
  readonly seed: number;
  readonly progress?: ProgressReporter;
  readonly log: (line: string) => void;
}

/** What training gave: each epoch's figures, the loss every 20 iterations, the last decoded answers. */
export interface Fitted {
  readonly history: readonly EpochFigures[];
  readonly lossList: readonly number[];
  /** The validation rows' decoded ids after the last epoch, `[rows, answer length - 1]`. */
  readonly guesses: Int32Array;
}

/** Trains `model` on `train`, scoring it on `validation` after each epoch. */
export async function fitWithAccuracy(
  model: EncoderDecoder,
  train: SplitTensors,
  validation: SplitTensors,
  options: FitWithAccuracyOptions,
): Promise<Fitted> {
  const { name, epochs, batchSize, seed, progress, log } = options;
  const history: EpochFigures[] = [];
  let guesses: Int32Array = new Int32Array(0);
  let epochStart = performance.now();
  const trainer = new Trainer(model, new Adam(model.parameters(), { lr: 0.001 }));
  await trainer.fit(train.x, train.t, {
    maxEpoch: epochs,
    batchSize,
    maxGrad: 5.0,
    evalInterval: 20,
    seed,
    progress,
    onEpoch: async ({ epoch, trainLoss }) => {
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const evalStart = performance.now();
      const scored = await accuracy(model, validation.x, validation.t);
      const evalSeconds = (performance.now() - evalStart) / 1000;
      guesses = scored.guesses;
      history.push({ epoch, loss: trainLoss, accuracy: scored.accuracy, trainSeconds, evalSeconds });
      log(
        `${name} epoch ${epoch}: loss ${trainLoss.toFixed(4)}, validation accuracy ${(scored.accuracy * 100).toFixed(2)}% ` +
          `(${trainSeconds.toFixed(1)} s training, ${evalSeconds.toFixed(1)} s decoding)`,
      );
      epochStart = performance.now();
    },
  });
  return { history, lossList: [...trainer.lossList], guesses };
}
