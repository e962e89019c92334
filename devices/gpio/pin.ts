/**
 * GPIO behind a small interface, so the beam counter runs against a test double where there
 * is no GPIO (FIELD-NOTES: `Gpio.accessible` is false here and `new Gpio()` throws ENOENT).
 * onoff is imported lazily inside the factory: this module loads anywhere.
 */
import { GpioUnavailableError } from '../errors.js';

export type PinValue = 0 | 1;

export interface GpioPin {
  /** Calls back on every edge with the pin's new level. */
  watch(cb: (err: Error | null | undefined, value: PinValue) => void): void;
  unwatch(): void;
  /** The current level, when the backend can read it (used for the level at start). */
  read?(): Promise<PinValue>;
  /** Releases the pin. */
  unexport(): void;
}

/** Opens one input pin with interrupts on both edges. Throws GpioUnavailableError. */
export type GpioPinFactory = (pin: number) => Promise<GpioPin>;

/** What to do when sysfs GPIO is not there or not ours. */
export function gpioFix(pin: number): string {
  return (
    `check that /sys/class/gpio exists and the gateway's user may write it (group 'gpio'); ` +
    `on Raspberry Pi kernels 6.6+ sysfs numbers are offset (GPIO17 is 529: see /sys/kernel/debug/gpio) — ` +
    `configure pin ${pin} by its sysfs number`
  );
}

/** The onoff backend (Linux sysfs GPIO). */
export const onoffPinFactory: GpioPinFactory = async (pin) => {
  let Gpio: typeof import('onoff').Gpio;
  try {
    ({ Gpio } = await import('onoff'));
  } catch (err) {
    throw new GpioUnavailableError(pin, `GPIO pin ${pin}: the onoff module does not load here (${String(err)})`, {
      cause: err,
    });
  }
  if (!Gpio.accessible) {
    throw new GpioUnavailableError(pin, `GPIO pin ${pin} is not accessible: ${gpioFix(pin)}`);
  }
  let gpio: InstanceType<typeof Gpio>;
  try {
    gpio = new Gpio(pin, 'in', 'both');
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new GpioUnavailableError(pin, `GPIO pin ${pin} cannot be exported (${msg}): ${gpioFix(pin)}`, {
      cause: err,
    });
  }
  return {
    watch: (cb) => gpio.watch(cb),
    unwatch: () => gpio.unwatchAll(),
    read: () => gpio.read(),
    unexport: () => gpio.unexport(),
  };
};
