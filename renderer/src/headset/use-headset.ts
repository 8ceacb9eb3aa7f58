import { useEffect, useState } from 'react';
import type { Softphone } from '../softphone/softphone';
import { HeadsetController, type HeadsetStatus, type HidLike } from './headset';
import type { HeadsetAction } from './hid-telephony';

/** Applies a headset button to the phone the way a desk phone's hook and keys would. */
export function applyHeadsetAction(phone: Softphone, a: HeadsetAction): void {
  const calls = phone.snapshot().calls;
  const ringing = calls.find((c) => c.state === 'ringing' && c.direction === 'inbound');
  const live = calls.find((c) => c.state === 'active' && !c.held) ?? calls.find((c) => c.state === 'active');
  const run = (p: Promise<unknown> | unknown) => void Promise.resolve(p).catch((err: unknown) => console.warn('[headset] action refused', a, err));
  if (a.type === 'hook') {
    if (a.offHook && ringing) run(phone.answer(ringing.id));
    else if (!a.offHook && live) phone.hangup(live.id);
  } else if (a.type === 'mute' && live) {
    run(phone.mute(live.id, a.toggle ? !live.muted : a.muted === true));
  } else if (a.type === 'flash') {
    // Flash answers a waiting call (holding the current one) or toggles hold, like a desk phone.
    if (ringing) run(phone.answer(ringing.id));
    else if (live) run(phone.hold(live.id, !live.held));
  }
}

export function useHeadset(phone: Softphone): { status: HeadsetStatus; supported: boolean; pick(): void } {
  const hid = (navigator as Navigator & { hid?: HidLike }).hid;
  const [controller, setController] = useState<HeadsetController>();
  const [status, setStatus] = useState<HeadsetStatus>({ connected: false });

  useEffect(() => {
    if (!hid) return;
    const c = new HeadsetController(hid, (a) => applyHeadsetAction(phone, a));
    const unsub = c.subscribe(setStatus);
    const unsubPhone = phone.subscribe((s) => {
      const active = s.calls.filter((x) => x.state === 'active');
      void c.setLeds({
        offHook: active.length > 0,
        ring: s.calls.some((x) => x.state === 'ringing' && x.direction === 'inbound'),
        mute: active.some((x) => x.muted && !x.held),
      });
    });
    void c.start().catch((err: unknown) => setStatus({ connected: false, error: err instanceof Error ? err.message : String(err) }));
    setController(c);
    return () => {
      unsub();
      unsubPhone();
      c.stop();
    };
  }, [hid, phone]);

  return {
    status,
    supported: Boolean(hid),
    pick: () => void controller?.pick().catch((err: unknown) => setStatus({ connected: false, error: err instanceof Error ? err.message : String(err) })),
  };
}
