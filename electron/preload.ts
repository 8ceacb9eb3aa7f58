import { contextBridge, ipcRenderer } from 'electron';
import {
  bridgeChannels, ipcChannel, parseBridgeArgs, parseBridgeResult, type BridgeChannel, type ThreadlineBridge,
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

const api = Object.fromEntries(bridgeChannels.map((c) => [c, call(c)])) as unknown as ThreadlineBridge;
contextBridge.exposeInMainWorld('threadline', api);
