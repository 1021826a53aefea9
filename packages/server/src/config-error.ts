/** The error of a bad option, variable, configuration file or value. */

/** Thrown by `parseConfig` for a bad flag, variable, file or value; `main` prints it and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
