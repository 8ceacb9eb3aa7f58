import { describe, expect, it } from 'vitest';
import { HeadsetController, type HidDeviceLike, type HidLike } from './headset';
import { buildReportMap, parseInputReport, Usage, type CollectionLike } from './hid-telephony';
import type { HeadsetAction } from './hid-telephony';

/**
 * A headset's descriptor as WebHID reports it: report 1 input = hook switch, phone mute, flash
 * (1 bit each) + 5 padding bits; report 2 output = off-hook, mute, ring LEDs + padding.
 */
const telephonyCollections: CollectionLike[] = [{
  usagePage: 0x0b, usage: 0x05,
  inputReports: [{ reportId: 1, items: [
    { usages: [Usage.HOOK_SWITCH], reportSize: 1, reportCount: 1 },
    { usages: [Usage.PHONE_MUTE], reportSize: 1, reportCount: 1 },
    { usages: [Usage.FLASH], reportSize: 1, reportCount: 1 },
    { usages: [], reportSize: 1, reportCount: 5 },
  ] }],
  outputReports: [{ reportId: 2, items: [
    { usages: [Usage.LED_OFF_HOOK], reportSize: 1, reportCount: 1 },
    { usages: [Usage.LED_MUTE], reportSize: 1, reportCount: 1 },
    { usages: [Usage.LED_RING], reportSize: 1, reportCount: 1 },
    { usages: [], reportSize: 1, reportCount: 5 },
  ] }],
}];

class FakeDevice implements HidDeviceLike {
  opened = false;
  sent: Array<{ reportId: number; bytes: number[] }> = [];
  private fns = new Set<(e: { reportId: number; data: DataView }) => void>();
  constructor(public vendorId: number, public productName: string, public collections: CollectionLike[] = telephonyCollections, public productId = 1) {}
  async open() {
    this.opened = true;
  }
  async close() {
    this.opened = false;
  }
  async sendReport(reportId: number, data: Uint8Array) {
    this.sent.push({ reportId, bytes: [...data] });
  }
  addEventListener(_t: 'inputreport', fn: (e: { reportId: number; data: DataView }) => void) {
    this.fns.add(fn);
  }
  removeEventListener(_t: 'inputreport', fn: (e: { reportId: number; data: DataView }) => void) {
    this.fns.delete(fn);
  }
  press(bits: number, reportId = 1) {
    for (const f of this.fns) f({ reportId, data: new DataView(new Uint8Array([bits]).buffer) });
  }
}

class FakeHid implements HidLike {
  devices: FakeDevice[] = [];
  private fns = { connect: new Set<(e: { device: HidDeviceLike }) => void>(), disconnect: new Set<(e: { device: HidDeviceLike }) => void>() };
  async getDevices() {
    return this.devices;
  }
  async requestDevice() {
    return this.devices.slice(0, 1);
  }
  addEventListener(t: 'connect' | 'disconnect', fn: (e: { device: HidDeviceLike }) => void) {
    this.fns[t].add(fn);
  }
  removeEventListener(t: 'connect' | 'disconnect', fn: (e: { device: HidDeviceLike }) => void) {
    this.fns[t].delete(fn);
  }
  plug(d: FakeDevice) {
    this.devices.push(d);
    for (const f of this.fns.connect) f({ device: d });
  }
  unplug(d: FakeDevice) {
    this.devices = this.devices.filter((x) => x !== d);
    for (const f of this.fns.disconnect) f({ device: d });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('report parsing', () => {
  it('finds the telephony fields and reads them from the right bits', () => {
    const map = buildReportMap(telephonyCollections);
    const view = (b: number) => new DataView(new Uint8Array([b]).buffer);
    expect(parseInputReport(map, 1, view(0b001))).toEqual({ hookSwitch: true, mute: false, flash: false });
    expect(parseInputReport(map, 1, view(0b110))).toEqual({ hookSwitch: false, mute: true, flash: true });
    // Another report id carries none of our fields.
    expect(parseInputReport(map, 3, view(0xff))).toEqual({});
  });

  it('ignores non-telephony collections (a keyboard, a consumer-control page)', () => {
    const map = buildReportMap([{ usagePage: 0x0c, inputReports: [{ reportId: 1, items: [{ usages: [Usage.HOOK_SWITCH], reportSize: 1, reportCount: 1 }] }] }]);
    expect(map.inputs).toEqual([]);
  });
});

describe('HeadsetController with a fake HID device', () => {
  it('turns hook-switch and mute edges into phone actions, once per press', async () => {
    const hid = new FakeHid();
    const dev = new FakeDevice(0x1234, 'Generic USB Headset');
    hid.devices.push(dev);
    const actions: HeadsetAction[] = [];
    const c = new HeadsetController(hid, (a) => actions.push(a));
    await c.start();
    expect(c.status).toEqual({ connected: true, name: 'Generic USB Headset' });
    dev.press(0b001); // off hook
    dev.press(0b001); // repeated state: nothing new
    dev.press(0b011); // mute on
    dev.press(0b001); // mute off
    dev.press(0b101); // flash
    dev.press(0b000); // on hook
    expect(actions).toEqual([
      { type: 'hook', offHook: true },
      { type: 'mute', muted: true },
      { type: 'mute', muted: false },
      { type: 'flash' },
      { type: 'hook', offHook: false },
    ]);
  });

  it('applies the vendor quirk: Jabra mute is a momentary toggle', async () => {
    const hid = new FakeHid();
    const dev = new FakeDevice(0x0b0e, 'Jabra Evolve');
    hid.devices.push(dev);
    const actions: HeadsetAction[] = [];
    await new HeadsetController(hid, (a) => actions.push(a)).start();
    dev.press(0b010);
    dev.press(0b000);
    dev.press(0b010);
    expect(actions).toEqual([{ type: 'mute', toggle: true }, { type: 'mute', toggle: true }]);
  });

  it('drives the off-hook, ring and mute LEDs through output reports', async () => {
    const hid = new FakeHid();
    const dev = new FakeDevice(0x1234, 'Generic');
    hid.devices.push(dev);
    const c = new HeadsetController(hid, () => undefined);
    await c.start();
    dev.sent = [];
    await c.setLeds({ offHook: false, ring: true, mute: false });
    await c.setLeds({ offHook: true, ring: false, mute: true });
    await c.setLeds({ offHook: true, ring: false, mute: true }); // unchanged: no report
    expect(dev.sent).toEqual([{ reportId: 2, bytes: [0b100] }, { reportId: 2, bytes: [0b011] }]);
  });

  it('follows hot-plug: attaches on connect, lets go on disconnect, ignores non-telephony devices', async () => {
    const hid = new FakeHid();
    const actions: HeadsetAction[] = [];
    const c = new HeadsetController(hid, (a) => actions.push(a));
    await c.start();
    expect(c.status.connected).toBe(false);
    hid.plug(new FakeDevice(0x046d, 'Mouse', [{ usagePage: 0x01, inputReports: [] }]));
    await tick();
    expect(c.status.connected).toBe(false);
    const dev = new FakeDevice(0x047f, 'Poly Voyager');
    hid.plug(dev);
    await tick();
    expect(c.status).toMatchObject({ connected: true, name: 'Poly Voyager' });
    hid.unplug(dev);
    expect(c.status.connected).toBe(false);
    dev.press(0b001);
    expect(actions).toEqual([]);
  });
});
