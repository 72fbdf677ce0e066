/**
 * graphgrad/testing: what tests of models, nodes and backends need. `gradCheck`, the fast-check
 * arbitraries and `backendForTests` (from `@graphgrad/core/testing`), and the conformance suite a
 * backend runs against itself, `describeBackend` (from `@graphgrad/testing`).
 *
 * @example
 * import { describeBackend } from 'graphgrad/testing';
 * describeBackend({ name: 'my-backend', create: () => new MyBackend() });
 * @module graphgrad/testing
 */
export * from '@graphgrad/core/testing';
export * from '@graphgrad/testing';
