import { describe, expect, it } from 'vitest';
import { chooseHidDevice, deviceKey } from './hid-chooser';

const dev = (deviceId: string, vendorId: number, serialNumber?: string) => ({ deviceId, vendorId, productId: 1, serialNumber });

describe('chooseHidDevice', () => {
  it('cancels when nothing is offered', () => {
    expect(chooseHidDevice([])).toBe('');
  });
  it('prefers the remembered headset, then a known headset vendor, then the first', () => {
    const list = [dev('a', 0x1234), dev('b', 0x047f), dev('c', 0x0b0e, 'S1')];
    expect(chooseHidDevice(list, deviceKey(list[2]!))).toBe('c');
    expect(chooseHidDevice(list, 'gone:0:')).toBe('b');
    expect(chooseHidDevice([dev('x', 0x1), dev('y', 0x2)])).toBe('x');
  });
});
