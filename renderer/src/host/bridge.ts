import type { ThreadlineBridge } from '../../../shared/bridge';
import { createWebBridge } from './web-bridge';

declare global {
  interface Window {
    threadline?: ThreadlineBridge;
  }
}

/** The preload's bridge inside Electron, the stand-in on the web host. */
export async function resolveBridge(): Promise<ThreadlineBridge> {
  return window.threadline ?? (await createWebBridge());
}
