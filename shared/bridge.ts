import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from './errors';

/**
 * The typed bridge between renderer and Electron main. Every channel names its argument and result
 * schemas here; the preload validates before sending, main validates again on receipt (the renderer
 * is untrusted), and the web host's stand-in bridge implements the same contract.
 */

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  host: z.enum(['electron', 'web']),
  serverUrl: z.string().url(),
  /** SIP WebSocket servers in failover order (wss:, or ws: on loopback) the softphone registers to. */
  sipServers: z.array(z.string().max(300).regex(/^wss?:\/\//, 'a ws: or wss: URL')).max(10).optional(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Managed-install policy. A set field beats the user's setting and the UI shows it locked. */
export const Policy = z.object({
  serverUrl: z.string().url().optional(),
  autoUpdate: z.enum(['on', 'off', 'pinned']).optional(),
  pinnedVersion: z.string().max(64).optional(),
  maxOfflineDays: z.number().int().min(1).max(365).optional(),
  allowedSipServers: z.array(z.string().max(300)).max(20).optional(),
  /** Where the softphone registers, in failover order (ws: only on loopback; wss: otherwise). */
  sipServers: z.array(z.string().max(300).regex(/^wss?:\/\//, 'a ws: or wss: URL')).max(10).optional(),
  telemetry: z.boolean().optional(),
});
export type Policy = z.infer<typeof Policy>;

export const PolicyState = z.object({
  policy: Policy,
  /** Where the policy came from, for the settings page ("set by your IT department"). */
  source: z.enum(['registry', 'managed-preferences', 'file', 'none']),
  lockedKeys: z.array(z.string()),
});
export type PolicyState = z.infer<typeof PolicyState>;

export const bridgeContract = {
  getAppInfo: { args: z.tuple([]), result: AppInfo },
  getPolicy: { args: z.tuple([]), result: PolicyState },
  openExternal: {
    args: z.tuple([z.string().url().max(2048).refine((u) => /^(https|mailto):/i.test(u), 'only https: and mailto: links open externally')]),
    result: z.object({ opened: z.boolean() }),
  },
  notify: {
    args: z.tuple([z.object({ title: z.string().min(1).max(200), body: z.string().max(1000) })]),
    result: z.object({ shown: z.boolean() }),
  },
} as const;

export type BridgeChannel = keyof typeof bridgeContract;
export const bridgeChannels = Object.keys(bridgeContract) as BridgeChannel[];
export type BridgeArgs<C extends BridgeChannel> = z.infer<(typeof bridgeContract)[C]['args']>;
export type BridgeResult<C extends BridgeChannel> = z.infer<(typeof bridgeContract)[C]['result']>;

/** Events main pushes to the renderer (validated in the preload before any listener sees them). */
export const bridgeEvents = {
  /** A tel:/sip: link the OS handed to the app. */
  dial: z.object({ kind: z.enum(['tel', 'sip']), target: z.string().min(2).max(300) }),
  /** The machine woke from sleep or the network came back: re-register SIP and resync now. */
  resume: z.object({ reason: z.enum(['sleep', 'network', 'unlock']), at: z.number().int() }),
} as const;
export type BridgeEventName = keyof typeof bridgeEvents;
export type BridgeEvent<E extends BridgeEventName> = z.infer<(typeof bridgeEvents)[E]>;
export const bridgeEventChannel = (e: BridgeEventName): string => `threadline-event:${e}`;

/** What the renderer sees as `window.threadline`. */
export type ThreadlineBridge = {
  [C in BridgeChannel]: (...args: BridgeArgs<C>) => Promise<BridgeResult<C>>;
} & {
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEvent<E>) => void): () => void;
};

/** IPC channel name on the wire; prefixed so no other listener can collide. */
export const ipcChannel = (c: BridgeChannel): string => `threadline:${c}`;

export function isBridgeChannel(name: string): name is BridgeChannel {
  return Object.prototype.hasOwnProperty.call(bridgeContract, name);
}

export function parseBridgeArgs<C extends BridgeChannel>(channel: C, raw: unknown): BridgeArgs<C> {
  const parsed = bridgeContract[channel].args.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(ErrorCode.BRIDGE_INVALID_ARGS, `${channel}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data as BridgeArgs<C>;
}

export function parseBridgeResult<C extends BridgeChannel>(channel: C, raw: unknown): BridgeResult<C> {
  const parsed = bridgeContract[channel].result.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(ErrorCode.BRIDGE_INVALID_RESULT, `${channel}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data as BridgeResult<C>;
}
