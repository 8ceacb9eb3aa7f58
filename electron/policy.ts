import { readFileSync } from 'node:fs';
import { Policy, type PolicyState } from '../shared/bridge';

export const LINUX_POLICY_PATH = '/etc/threadline/policies.json';

export interface PolicySources {
  platform: NodeJS.Platform;
  /** Windows: values under HKLM\Software\Policies\Threadline, read by the caller (a true OS boundary). */
  readRegistry?: () => Record<string, unknown> | undefined;
  /** macOS managed preferences, read by the caller. */
  readManagedPreferences?: () => Record<string, unknown> | undefined;
  readFile?: (path: string) => string;
  linuxPath?: string;
}

/**
 * Loads the managed policy. A policy that fails validation is ignored as a whole (logged by the
 * caller) rather than half-applied: IT must see their file rejected, not silently trimmed.
 */
export function loadPolicy(src: PolicySources): PolicyState & { error?: string } {
  let raw: Record<string, unknown> | undefined;
  let source: PolicyState['source'] = 'none';
  try {
    if (src.platform === 'win32' && src.readRegistry) {
      raw = src.readRegistry();
      source = raw ? 'registry' : 'none';
    } else if (src.platform === 'darwin' && src.readManagedPreferences) {
      raw = src.readManagedPreferences();
      source = raw ? 'managed-preferences' : 'none';
    } else if (src.platform === 'linux') {
      const text = (src.readFile ?? ((p) => readFileSync(p, 'utf8')))(src.linuxPath ?? LINUX_POLICY_PATH);
      raw = JSON.parse(text) as Record<string, unknown>;
      source = 'file';
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { policy: {}, source: 'none', lockedKeys: [] };
    return { policy: {}, source: 'none', lockedKeys: [], error: `policy unreadable: ${e.message}` };
  }
  if (!raw) return { policy: {}, source: 'none', lockedKeys: [] };
  const parsed = Policy.strict().safeParse(raw);
  if (!parsed.success) {
    return { policy: {}, source: 'none', lockedKeys: [], error: `policy rejected: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  return { policy: parsed.data, source, lockedKeys: Object.keys(parsed.data) };
}
