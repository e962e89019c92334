export {
  type Clock,
  DeviceFollowingClock,
  isDeviceFollowing,
  ManualClock,
  systemClock,
  virtualClock,
} from './clock.js';
