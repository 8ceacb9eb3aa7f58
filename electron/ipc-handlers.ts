import {
  bridgeChannels, isBridgeChannel, parseBridgeArgs, parseBridgeResult,
  type BridgeArgs, type BridgeChannel, type BridgeResult,
} from '../shared/bridge';
import { AppError, ErrorCode } from '../shared/errors';

export type BridgeImplementation = {
  [C in BridgeChannel]: (...args: BridgeArgs<C>) => Promise<BridgeResult<C>> | BridgeResult<C>;
};

export type IpcOutcome = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Main-side dispatcher. The renderer is untrusted: every call's arguments are validated here even
 * though the preload validated them already, and results are validated so main never leaks a shape
 * the contract does not promise. Errors cross IPC as data with a stable code (Electron strips
 * custom error fields otherwise).
 */
export function createIpcDispatcher(impl: BridgeImplementation) {
  return async function dispatch(channel: string, rawArgs: unknown): Promise<IpcOutcome> {
    try {
      if (!isBridgeChannel(channel)) throw new AppError(ErrorCode.BRIDGE_UNKNOWN_CHANNEL, `unknown bridge channel ${channel}`);
      const args = parseBridgeArgs(channel, rawArgs);
      const fn = impl[channel] as (...a: unknown[]) => unknown;
      const value = await fn(...(args as unknown[]));
      return { ok: true, value: parseBridgeResult(channel, value) };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
      return { ok: false, error: { code: ErrorCode.INTERNAL, message: 'internal error in main process' } };
    }
  };
}

export { bridgeChannels };
