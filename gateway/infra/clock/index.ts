export {
  type Clock,
  DeviceFollowingClock,
  isDeviceFollowing,
  ManualClock,
  systemClock,
} from './clock.js';
