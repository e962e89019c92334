/**
 * Sound and vibration for a new alert, where the browser allows: vibration needs no
 * permission on Android; sound needs one user gesture first (the "sound on" switch).
 */
const STORAGE_KEY = 'gw.staff.sound';
let audio: AudioContext | undefined;

export function soundPreference(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setSoundPreference(on: boolean): void {
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Private mode: the switch holds for this page.
  }
  // Called from a click: the moment a browser lets an AudioContext start.
  if (on) unlockAudio();
}

export function unlockAudio(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  if (audio.state === 'suspended') void audio.resume();
}

export function chime(enabled: boolean): void {
  if (!enabled) return;
  if (typeof navigator.vibrate === 'function') navigator.vibrate([200, 100, 200]);
  if (audio?.state !== 'running') return;
  const now = audio.currentTime;
  for (const [i, frequency] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + i * 0.18);
    osc.stop(now + i * 0.18 + 0.17);
  }
}
