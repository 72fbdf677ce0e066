/**
 * @graphgrad/core/testing: what a test of a node or a backend needs. `gradCheck` (central
 * differences in float64), the fast-check arbitraries of shapes and tensors, and
 * `backendForTests` (a backend for a test file, skipped without one except under `CI=true`).
 * fast-check and vitest are peer dependencies of this entry point only.
 * @module @graphgrad/core/testing
 */
export * as arbitraries from './arbitraries.ts';
export {
  backendForTests,
  withoutBackend,
  type BackendForTests,
  type BackendForTestsOptions,
} from './backend-for-tests.ts';
export {
  assertGradCheck,
  gradCheck,
  GradCheckError,
  type GradCheckOptions,
  type GradCheckResult,
  type InputGradReport,
} from '../grad-check.ts';
