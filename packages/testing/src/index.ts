/**
 * @graphgrad/testing: the conformance suite every backend passes (`describeBackend`), the plain
 * reference definitions it compares with, and the case tables it runs. A backend package calls
 * `describeBackend` from one of its own test files. Gradient checks and the fast-check arbitraries
 * are in `@graphgrad/core/testing`.
 * @module @graphgrad/testing
 */
export { firstMismatch, type Tolerances } from './compare.ts';
export { describeBackend, type BackendUnderTest } from './describe-backend.ts';
export { referenceBackend } from './reference-backend.ts';
