import type { Tensor } from '@graphgrad/core';
import { sigmoid } from '../sigmoid.ts';
import { softmax } from '../softmax.ts';
import { softmaxWithLoss } from '../softmax-with-loss.ts';
import { StatelessLayer } from './layer.ts';

/**
 * The book's Sigmoid layer.
 *
 * @example
 * new Sigmoid().call(x); // sigmoid(x)
 */
export class Sigmoid extends StatelessLayer {
  /** sigmoid(x), elementwise. */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * The book's Softmax layer (along the last axis).
 *
 * @example
 * new Softmax().call(scores); // each row sums to 1
 */
export class Softmax extends StatelessLayer {
  /** softmax(x) along the last axis. */
  forward(x: Tensor): Tensor {
    return softmax(x);
  }
}

/**
 * The book's SoftmaxWithLoss layer: `forward(scores, target)` gives the mean cross entropy; target
 * as int32 class indices or one-hot rows.
 *
 * @example
 * const loss = new SoftmaxWithLoss().forward(scores, labels); // a scalar
 */
export class SoftmaxWithLoss extends StatelessLayer {
  /** The mean cross entropy of softmax(scores) against `target`. */
  forward(scores: Tensor, target: Tensor): Tensor {
    return softmaxWithLoss(scores, target);
  }
}
