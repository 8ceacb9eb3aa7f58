import { useState, type FormEvent } from 'react';
import { ConnectionBadge } from '../shell/ConnectionBadge';
import { useServerStatus } from '../shell/use-server-status';
import { ApiError, NetworkError } from './token-store';

export interface LoginScreenProps {
  serverUrl: string;
  defaultTenant?: string;
  onLogin(req: { tenant: string; email: string; password: string }): Promise<void>;
  notice?: string;
}

function explain(err: unknown): string {
  if (err instanceof NetworkError) return 'Cannot reach the server. Check the network and try again.';
  if (err instanceof ApiError) {
    if (err.code === 'INVALID_CREDENTIALS') return 'Tenant, email or password is wrong.';
    if (err.code === 'RATE_LIMITED') return 'Too many attempts. Wait a minute and try again.';
    return `${err.message} (${err.code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function LoginScreen({ serverUrl, defaultTenant = 'demo', onLogin, notice }: LoginScreenProps) {
  const [tenant, setTenant] = useState(defaultTenant);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const server = useServerStatus(serverUrl);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onLogin({ tenant: tenant.trim(), email: email.trim(), password });
    } catch (err) {
      setError(explain(err));
      setBusy(false);
    }
  };

  const field = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-200';
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <form onSubmit={submit} className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200" aria-labelledby="login-title">
        <h1 id="login-title" className="text-xl font-semibold text-slate-900">Sign in to Threadline</h1>
        <p className="mt-1 flex items-center gap-2 text-xs text-slate-500">Server {serverUrl} <ConnectionBadge status={server} /></p>
        {notice && <p role="status" className="mt-3 rounded-md bg-amber-50 p-2 text-sm text-amber-900">{notice}</p>}
        <label className="mt-4 block text-sm font-medium text-slate-700">
          Tenant
          <input className={field} name="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} required autoComplete="organization" />
        </label>
        <label className="mt-3 block text-sm font-medium text-slate-700">
          Email
          <input className={field} name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="username" />
        </label>
        <label className="mt-3 block text-sm font-medium text-slate-700">
          Password
          <input className={field} name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="current-password" />
        </label>
        {error && <p role="alert" className="mt-3 text-sm text-rose-700">{error}</p>}
        <button type="submit" disabled={busy} className="mt-5 w-full rounded-md bg-sky-700 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-800 disabled:opacity-60">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
