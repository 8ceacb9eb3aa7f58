import { contextBridge, ipcRenderer } from 'electron';
import {
  bridgeChannels, bridgeEventChannel, bridgeEvents, ipcChannel, parseBridgeArgs, parseBridgeResult,
  type BridgeChannel, type BridgeEventName, type ThreadlineBridge,
} from '../shared/bridge';
import { AppError, type ErrorCode } from '../shared/errors';

type Outcome = { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

function call<C extends BridgeChannel>(channel: C) {
  return async (...args: unknown[]) => {
    // Validate before sending so a renderer bug fails at its source with a clear message.
    const valid = parseBridgeArgs(channel, args);
    const outcome = (await ipcRenderer.invoke(ipcChannel(channel), valid)) as Outcome;
    if (!outcome.ok) throw new AppError(outcome.error.code, outcome.error.message);
    return parseBridgeResult(channel, outcome.value);
  };
}

function on(event: BridgeEventName, listener: (payload: unknown) => void): () => void {
  const schema = bridgeEvents[event];
  if (!schema) throw new AppError('BRIDGE_UNKNOWN_CHANNEL', `unknown bridge event ${String(event)}`);
  const handler = (_e: unknown, payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (parsed.success) listener(parsed.data);
  };
  ipcRenderer.on(bridgeEventChannel(event), handler);
  return () => {
    ipcRenderer.removeListener(bridgeEventChannel(event), handler);
  };
}

const api = { ...Object.fromEntries(bridgeChannels.map((c) => [c, call(c)])), on } as unknown as ThreadlineBridge;
contextBridge.exposeInMainWorld('threadline', api);
