export { type Clock, ManualClock, systemClock, virtualClock } from './clock.js';
