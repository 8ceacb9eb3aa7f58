import {
  ButtonDecoder, buildOutputReports, buildReportMap, isTelephonyDevice, parseInputReport, quirksFor, USAGE_PAGE_TELEPHONY,
  type CollectionLike, type HeadsetAction, type LedState, type ReportMap,
} from './hid-telephony';

/** The slice of WebHID's HIDDevice the controller uses: the true boundary, faked in tests. */
export interface HidDeviceLike {
  vendorId: number;
  productId: number;
  productName: string;
  collections: CollectionLike[];
  opened: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array<ArrayBuffer>): Promise<void>;
  addEventListener(type: 'inputreport', fn: (e: { reportId: number; data: DataView }) => void): void;
  removeEventListener(type: 'inputreport', fn: (e: { reportId: number; data: DataView }) => void): void;
}

export interface HidLike {
  getDevices(): Promise<HidDeviceLike[]>;
  requestDevice(opts: { filters: Array<{ usagePage: number }> }): Promise<HidDeviceLike[]>;
  addEventListener(type: 'connect' | 'disconnect', fn: (e: { device: HidDeviceLike }) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', fn: (e: { device: HidDeviceLike }) => void): void;
}

export interface HeadsetStatus {
  connected: boolean;
  name?: string;
  error?: string;
}

/**
 * One telephony headset at a time: attaches to a permitted device at start and when one is plugged
 * in, lets go when it is unplugged, turns its buttons into phone actions and mirrors the phone's
 * state on its LEDs.
 */
export class HeadsetController {
  private device: HidDeviceLike | undefined;
  private map: ReportMap | undefined;
  private decoder: ButtonDecoder | undefined;
  private leds: LedState = { offHook: false, ring: false, mute: false };
  private listeners = new Set<(s: HeadsetStatus) => void>();
  status: HeadsetStatus = { connected: false };

  constructor(private hid: HidLike, private onAction: (a: HeadsetAction) => void) {}

  private readonly onInput = (e: { reportId: number; data: DataView }) => {
    if (!this.map || !this.decoder) return;
    for (const a of this.decoder.decode(parseInputReport(this.map, e.reportId, e.data))) this.onAction(a);
  };
  private readonly onConnect = (e: { device: HidDeviceLike }) => {
    if (!this.device && isTelephonyDevice(e.device.collections)) void this.attach(e.device);
  };
  private readonly onDisconnect = (e: { device: HidDeviceLike }) => {
    if (e.device === this.device) this.detach();
  };

  subscribe(fn: (s: HeadsetStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setStatus(s: HeadsetStatus) {
    this.status = s;
    for (const l of this.listeners) l(s);
  }

  async start(): Promise<void> {
    this.hid.addEventListener('connect', this.onConnect);
    this.hid.addEventListener('disconnect', this.onDisconnect);
    const known = (await this.hid.getDevices()).find((d) => isTelephonyDevice(d.collections));
    if (known) await this.attach(known);
  }

  stop(): void {
    this.hid.removeEventListener('connect', this.onConnect);
    this.hid.removeEventListener('disconnect', this.onDisconnect);
    this.detach();
  }

  /** Asks the user to pick a headset (needs a user gesture in the browser). */
  async pick(): Promise<void> {
    const [d] = await this.hid.requestDevice({ filters: [{ usagePage: USAGE_PAGE_TELEPHONY }] });
    if (d) await this.attach(d);
  }

  private async attach(d: HidDeviceLike) {
    try {
      if (!d.opened) await d.open();
    } catch (err) {
      this.setStatus({ connected: false, name: d.productName, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.detach();
    this.device = d;
    this.map = buildReportMap(d.collections);
    this.decoder = new ButtonDecoder(quirksFor(d.vendorId));
    this.decoder.syncHook(this.leds.offHook);
    d.addEventListener('inputreport', this.onInput);
    this.setStatus({ connected: true, name: d.productName });
    await this.flushLeds();
  }

  private detach() {
    if (!this.device) return;
    this.device.removeEventListener('inputreport', this.onInput);
    this.device = undefined;
    this.map = undefined;
    this.decoder = undefined;
    this.setStatus({ connected: false });
  }

  /** Mirrors the phone on the headset: ringing, in a call, muted. */
  async setLeds(leds: LedState): Promise<void> {
    if (leds.offHook !== this.leds.offHook) this.decoder?.syncHook(leds.offHook);
    const changed = leds.offHook !== this.leds.offHook || leds.ring !== this.leds.ring || leds.mute !== this.leds.mute;
    this.leds = leds;
    if (changed) await this.flushLeds();
  }

  private async flushLeds() {
    const d = this.device;
    if (!d || !this.map) return;
    for (const r of buildOutputReports(this.map, this.leds)) {
      // A headset unplugged mid-write throws; the disconnect event tidies up.
      await d.sendReport(r.reportId, r.data as Uint8Array<ArrayBuffer>).catch(() => undefined);
    }
  }
}
