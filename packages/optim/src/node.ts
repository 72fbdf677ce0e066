/**
 * @graphgrad/optim/node: the Node.js-only parts, for callers who want them explicitly (the main
 * entry already picks the terminal reporter by default under Node.js).
 * @packageDocumentation
 */
export { terminalProgress, type TerminalStream } from './progress/terminal-progress.ts';
