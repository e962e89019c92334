/** A port the gateway needs is taken: say which setting moves it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    readonly setting: string,
    readonly env: string,
    cause: unknown,
  ) {
    super(`port ${port} is already in use: set ${setting} in the config file or ${env} in the environment`, { cause });
  }
}
