/**
 * @sotto/cli: the `sotto` terminal client. The binary is `dist/bin.js`; {@link main} runs it in-process.
 */
export { EXIT, type ExitCode } from './exit-codes.js';
export { type CliProcess, main } from './main.js';
