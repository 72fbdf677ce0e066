/**
 * The page's form and status panel: reads the settings the user chose, and shows the run's state
 * as text (which the end-to-end test reads too, through the elements' `data-testid`).
 */
import type { BackendName } from './backends.ts';
import { DEFAULT_LEARNING_RATES, isOptimizerName, type OptimizerName } from './model.ts';

/** The settings in the form. */
interface Settings {
  readonly hiddenSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly backend: BackendName;
}

/** What the run is doing, as the status panel says it. */
type RunState = 'loading' | 'ready' | 'training' | 'paused' | 'failed';

/** The element with `id`, of the expected type (the page's HTML defines them all). */
function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`playground: the page has no <${type.name}> #${id}`);
  return found;
}

/** The form's fields and buttons, and the status panel's outputs. */
export class Controls {
  readonly form = element('controls', HTMLFormElement);
  readonly start = element('start', HTMLButtonElement);
  readonly pause = element('pause', HTMLButtonElement);
  readonly reset = element('reset', HTMLButtonElement);
  readonly #backendSelect = this.#field('backend', HTMLSelectElement);
  readonly #optimizer = this.#field('optimizer', HTMLSelectElement);
  readonly #learningRate = this.#field('learningRate', HTMLInputElement);
  readonly #backend = element('backend', HTMLOutputElement);
  readonly #epoch = element('epoch', HTMLOutputElement);
  readonly #loss = element('loss', HTMLOutputElement);
  readonly #state = element('state', HTMLOutputElement);
  readonly #message = element('message', HTMLParagraphElement);

  constructor() {
    // Enter in the learning-rate field would submit the form and reload the page.
    this.form.addEventListener('submit', (event) => event.preventDefault());
    // Each optimizer comes with a learning rate that trains it (SGD's 1.0 would make Adam diverge).
    this.#optimizer.addEventListener('change', () => {
      if (isOptimizerName(this.#optimizer.value))
        this.#learningRate.value = String(DEFAULT_LEARNING_RATES[this.#optimizer.value]);
    });
  }

  /** The settings now in the form; an unreadable learning rate falls back to the optimizer's default. */
  read(): Settings {
    const data = new FormData(this.form);
    const optimizer = data.get('optimizer') as string;
    if (!isOptimizerName(optimizer)) throw new TypeError(`playground: unknown optimizer ${optimizer}`);
    const learningRate = Number(data.get('learningRate'));
    return {
      hiddenSize: Number(data.get('hiddenSize')),
      optimizer,
      learningRate:
        Number.isFinite(learningRate) && learningRate > 0 ? learningRate : DEFAULT_LEARNING_RATES[optimizer],
      batchSize: Number(data.get('batchSize')),
      backend: data.get('backend') === 'webgpu' ? 'webgpu' : 'cpu',
    };
  }

  /** Offers WebGPU only when the browser has it, and selects the backend the page starts on. */
  offerBackends(webgpuAvailable: boolean, reason: string | null): void {
    const webgpu = this.#backendSelect.querySelector<HTMLOptionElement>('option[value="webgpu"]');
    if (webgpu !== null) {
      webgpu.disabled = !webgpuAvailable;
      webgpu.textContent = webgpuAvailable ? 'WebGPU' : 'WebGPU (unavailable)';
    }
    this.#backendSelect.value = webgpuAvailable ? 'webgpu' : 'cpu';
    if (reason !== null) this.say(`WebGPU is not available (${reason}); training on the CPU backend.`);
  }

  /** Shows the active backend. */
  showBackend(description: string): void {
    this.#backend.textContent = description;
  }

  /** Shows the finished epochs and the last epoch's mean loss (`data-value` holds it unrounded). */
  showProgress(epoch: number, loss: number | undefined): void {
    this.#epoch.textContent = String(epoch);
    this.#loss.textContent = loss === undefined ? '–' : loss.toFixed(4);
    if (loss === undefined) delete this.#loss.dataset.value;
    else this.#loss.dataset.value = String(loss);
  }

  /** Shows the run's state and enables the buttons that make sense in it. */
  showState(state: RunState): void {
    this.#state.textContent = state;
    this.start.disabled = state !== 'ready' && state !== 'paused';
    this.pause.disabled = state !== 'training';
    this.reset.disabled = state === 'loading';
  }

  /** Shows a line for the user (a fallback, an error). */
  say(message: string): void {
    this.#message.textContent = message;
  }

  #field<T extends HTMLElement>(name: string, type: new () => T): T {
    const found = this.form.elements.namedItem(name);
    if (!(found instanceof type)) throw new TypeError(`playground: the form has no <${type.name}> named ${name}`);
    return found;
  }
}
