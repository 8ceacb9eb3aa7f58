/**
 * Headsets over WebHID, through the HID Telephony usage page (0x0B) for buttons and the LED page
 * (0x08) for lights. The report layout is read from the device's own descriptor (WebHID hands it
 * over as `collections`), so any compliant headset works; a small quirk table covers the vendors
 * whose buttons report edges instead of states.
 */

export const USAGE_PAGE_TELEPHONY = 0x0b;
export const USAGE_PAGE_LED = 0x08;
const usage = (page: number, id: number) => (page << 16) | id;

export const Usage = {
  HOOK_SWITCH: usage(0x0b, 0x20),
  FLASH: usage(0x0b, 0x21),
  PHONE_MUTE: usage(0x0b, 0x2f),
  LED_MUTE: usage(0x08, 0x09),
  LED_OFF_HOOK: usage(0x08, 0x17),
  LED_RING: usage(0x08, 0x18),
} as const;

/** The subset of WebHID's HIDReportItem/HIDReportInfo/HIDCollectionInfo this module reads. */
export interface ReportItemLike {
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  isRange?: boolean;
}
export interface ReportInfoLike {
  reportId?: number;
  items?: ReportItemLike[];
}
export interface CollectionLike {
  usagePage?: number;
  usage?: number;
  inputReports?: ReportInfoLike[];
  outputReports?: ReportInfoLike[];
  children?: CollectionLike[];
}

interface Field {
  reportId: number;
  usage: number;
  bitOffset: number;
  bitSize: number;
}

export interface ReportMap {
  inputs: Field[];
  outputs: Field[];
  /** Byte length of each output report (without the report id byte). */
  outputLength: Map<number, number>;
}

function walk(cols: CollectionLike[] | undefined, fn: (c: CollectionLike) => void) {
  for (const c of cols ?? []) {
    fn(c);
    walk(c.children, fn);
  }
}

function fieldsOf(reports: ReportInfoLike[] | undefined, into: Field[], lengths?: Map<number, number>) {
  for (const r of reports ?? []) {
    const reportId = r.reportId ?? 0;
    let bit = 0;
    for (const item of r.items ?? []) {
      const size = item.reportSize ?? 0;
      const count = item.reportCount ?? 0;
      const usages = item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined
        ? Array.from({ length: item.usageMaximum - item.usageMinimum + 1 }, (_, k) => item.usageMinimum! + k)
        : item.usages ?? [];
      for (let k = 0; k < count; k++) {
        // HID repeats the last usage for the remaining fields of an item.
        const u = usages[Math.min(k, usages.length - 1)];
        if (u !== undefined) into.push({ reportId, usage: u, bitOffset: bit, bitSize: size });
        bit += size;
      }
    }
    if (lengths) lengths.set(reportId, Math.max(lengths.get(reportId) ?? 0, Math.ceil(bit / 8)));
  }
}

/** Reads the telephony and LED fields out of a device's report descriptor. */
export function buildReportMap(collections: CollectionLike[]): ReportMap {
  const map: ReportMap = { inputs: [], outputs: [], outputLength: new Map() };
  walk(collections, (c) => {
    if (c.usagePage !== USAGE_PAGE_TELEPHONY) return;
    fieldsOf(c.inputReports, map.inputs);
    fieldsOf(c.outputReports, map.outputs, map.outputLength);
  });
  return map;
}

export function isTelephonyDevice(collections: CollectionLike[]): boolean {
  return buildReportMap(collections).inputs.some((f) => f.usage === Usage.HOOK_SWITCH || f.usage === Usage.PHONE_MUTE);
}

function readBits(data: DataView, bitOffset: number, bitSize: number): number {
  let v = 0;
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    const byte = bit >> 3;
    if (byte >= data.byteLength) break;
    if ((data.getUint8(byte) >> (bit & 7)) & 1) v |= 1 << i;
  }
  return v;
}

export interface ButtonState {
  hookSwitch?: boolean;
  mute?: boolean;
  flash?: boolean;
}

export function parseInputReport(map: ReportMap, reportId: number, data: DataView): ButtonState {
  const out: ButtonState = {};
  for (const f of map.inputs) {
    if (f.reportId !== reportId) continue;
    const on = readBits(data, f.bitOffset, f.bitSize) !== 0;
    if (f.usage === Usage.HOOK_SWITCH) out.hookSwitch = on;
    else if (f.usage === Usage.PHONE_MUTE) out.mute = on;
    else if (f.usage === Usage.FLASH) out.flash = on;
  }
  return out;
}

export interface LedState {
  offHook: boolean;
  ring: boolean;
  mute: boolean;
}

/** One output report per report id that carries any of our LEDs. */
export function buildOutputReports(map: ReportMap, leds: LedState): Array<{ reportId: number; data: Uint8Array }> {
  const byId = new Map<number, Uint8Array>();
  for (const f of map.outputs) {
    const value = f.usage === Usage.LED_OFF_HOOK ? leds.offHook : f.usage === Usage.LED_RING ? leds.ring : f.usage === Usage.LED_MUTE ? leds.mute : undefined;
    if (value === undefined) continue;
    let buf = byId.get(f.reportId);
    if (!buf) {
      buf = new Uint8Array(map.outputLength.get(f.reportId) ?? 1);
      byId.set(f.reportId, buf);
    }
    if (value) buf[f.bitOffset >> 3]! |= 1 << (f.bitOffset & 7);
  }
  return [...byId].map(([reportId, data]) => ({ reportId, data }));
}

/**
 * Vendor quirks. `muteIsToggle`: the mute usage is a momentary button (press = toggle), not the
 * mute state. `hookIsToggle`: the hook usage pulses on each press instead of holding off-hook.
 */
export interface Quirks {
  muteIsToggle: boolean;
  hookIsToggle: boolean;
}

const QUIRKS: Record<number, Partial<Quirks>> = {
  0x0b0e: { muteIsToggle: true }, // Jabra (GN): mute reports a press, host owns the state
  0x047f: { muteIsToggle: true }, // Poly / Plantronics
  0x1395: { muteIsToggle: true }, // EPOS / Sennheiser
  0x6993: { muteIsToggle: true, hookIsToggle: true }, // Yealink USB headsets
};

export function quirksFor(vendorId: number): Quirks {
  return { muteIsToggle: false, hookIsToggle: false, ...QUIRKS[vendorId] };
}

export type HeadsetAction = { type: 'hook'; offHook: boolean } | { type: 'mute'; muted?: boolean; toggle?: boolean } | { type: 'flash' };

/**
 * Turns raw button states into phone actions, on edges only: a headset repeats its whole state in
 * every report, and acting on levels would answer or hang up twice.
 */
export class ButtonDecoder {
  private prev: ButtonState = {};
  private hookOff = false;
  constructor(private quirks: Quirks) {}

  /** The phone changed state itself (answered from the screen): follow it so the next press is right. */
  syncHook(offHook: boolean) {
    this.hookOff = offHook;
  }

  decode(s: ButtonState): HeadsetAction[] {
    const out: HeadsetAction[] = [];
    const rose = (k: keyof ButtonState) => s[k] === true && this.prev[k] !== true;
    const fell = (k: keyof ButtonState) => s[k] === false && this.prev[k] === true;
    if (this.quirks.hookIsToggle) {
      if (rose('hookSwitch')) {
        this.hookOff = !this.hookOff;
        out.push({ type: 'hook', offHook: this.hookOff });
      }
    } else if (rose('hookSwitch') || fell('hookSwitch')) {
      this.hookOff = s.hookSwitch === true;
      out.push({ type: 'hook', offHook: this.hookOff });
    }
    if (this.quirks.muteIsToggle) {
      if (rose('mute')) out.push({ type: 'mute', toggle: true });
    } else if (rose('mute') || fell('mute')) {
      out.push({ type: 'mute', muted: s.mute === true });
    }
    if (rose('flash')) out.push({ type: 'flash' });
    this.prev = { ...this.prev, ...s };
    return out;
  }
}
