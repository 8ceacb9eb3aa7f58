/**
 * Electron has no built-in WebHID chooser: `select-hid-device` must answer with a device id. The
 * renderer asks only for the telephony usage page, so Chromium's list holds headsets already; we
 * prefer the one the agent chose before (remembered by vendor/product/serial), then a known headset
 * vendor, then the first. An empty answer cancels the request cleanly.
 */
export interface HidCandidate {
  deviceId: string;
  name?: string | undefined;
  vendorId: number;
  productId: number;
  serialNumber?: string | undefined;
}

/** Headset makers whose telephony collections we know work (see the renderer's quirk table). */
export const HEADSET_VENDORS: ReadonlySet<number> = new Set([0x0b0e /* Jabra */, 0x047f /* Poly/Plantronics */, 0x1395 /* EPOS/Sennheiser */, 0x046d /* Logitech */, 0x0d8c /* C-Media (generic USB) */]);

export function deviceKey(d: Pick<HidCandidate, 'vendorId' | 'productId' | 'serialNumber'>): string {
  return `${d.vendorId.toString(16)}:${d.productId.toString(16)}:${d.serialNumber ?? ''}`;
}

export function chooseHidDevice(list: readonly HidCandidate[], rememberedKey?: string): string {
  if (!list.length) return '';
  const remembered = rememberedKey ? list.find((d) => deviceKey(d) === rememberedKey) : undefined;
  return (remembered ?? list.find((d) => HEADSET_VENDORS.has(d.vendorId)) ?? list[0]!).deviceId;
}
