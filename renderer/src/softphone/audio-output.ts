/**
 * Audio outputs. The call audio and the ringer are separate elements so each can be routed to its
 * own device with setSinkId: the ring sounds on the desk speaker while the call stays in the headset.
 */

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export async function routeTo(el: HTMLAudioElement, deviceId: string | undefined): Promise<boolean> {
  const sink = el as SinkElement;
  if (!sink.setSinkId) return false;
  try {
    await sink.setSinkId(deviceId ?? '');
    return true;
  } catch {
    // The device vanished (unplugged) or permission was refused: stay on the default output.
    return false;
  }
}

/** A classic two-tone ring (440+480 Hz, 2 s on / 4 s off), synthesized so no asset is needed. */
export class Ringer {
  private ctx: AudioContext | undefined;
  private el: HTMLAudioElement | undefined;
  private gain: GainNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private deviceId: string | undefined;
  ringing = false;

  async setDevice(deviceId: string | undefined): Promise<void> {
    this.deviceId = deviceId;
    if (this.el) await routeTo(this.el, deviceId);
  }

  start(): void {
    if (this.ringing) return;
    this.ringing = true;
    try {
      this.ctx ??= new AudioContext();
      const dest = this.ctx.createMediaStreamDestination();
      this.gain = this.ctx.createGain();
      this.gain.gain.value = 0;
      for (const f of [440, 480]) {
        const osc = this.ctx.createOscillator();
        osc.frequency.value = f;
        osc.connect(this.gain);
        osc.start();
      }
      this.gain.connect(dest);
      this.el = new Audio();
      this.el.srcObject = dest.stream;
      void routeTo(this.el, this.deviceId).then(() => this.el?.play().catch(() => undefined));
      let on = true;
      const cadence = () => {
        if (this.gain) this.gain.gain.value = on ? 0.15 : 0;
        on = !on;
      };
      cadence();
      this.timer = setInterval(cadence, 2000);
    } catch {
      // No audio output available (headless, locked-down machine): the visual ring still shows.
    }
  }

  stop(): void {
    this.ringing = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.el?.pause();
    this.el = undefined;
    void this.ctx?.close().catch(() => undefined);
    this.ctx = undefined;
    this.gain = undefined;
  }
}
