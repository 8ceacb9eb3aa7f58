import type { ReactNode } from 'react';
import type { AppInfo } from '../../../shared/bridge';
import { ConnectionBadge } from './ConnectionBadge';
import type { ServerStatus } from './use-server-status';

export interface NavItem {
  id: string;
  label: string;
  icon: string;
  shortcut: string;
}

export const NAV: NavItem[] = [
  { id: 'inbox', label: 'Inbox', icon: '⇣', shortcut: 'Alt+1' },
  { id: 'customers', label: 'Customers', icon: '☺', shortcut: 'Alt+2' },
  { id: 'queues', label: 'Queues', icon: '☰', shortcut: 'Alt+3' },
  { id: 'knowledge', label: 'Knowledge', icon: '?', shortcut: 'Alt+4' },
  { id: 'settings', label: 'Settings', icon: '⚙', shortcut: 'Alt+5' },
];

export interface AppShellProps {
  info: AppInfo | undefined;
  status: ServerStatus;
  active: string;
  onNavigate(id: string): void;
  main: ReactNode;
  side: ReactNode;
  topRight?: ReactNode;
  /** Replaces the health-poll badge once a sync client reports the real state. */
  badge?: ReactNode;
}

/** Top bar, left rail, main pane, right pane: the frame every workspace view sits in. */
export function AppShell({ info, status, active, onNavigate, main, side, topRight, badge }: AppShellProps) {
  return (
    <div className="grid h-screen grid-rows-[3rem_1fr] grid-cols-[4.5rem_1fr_22rem] bg-slate-100">
      <header className="col-span-3 flex items-center gap-4 border-b border-slate-800 bg-slate-900 px-4 text-slate-100" role="banner">
        <span className="text-lg font-semibold tracking-tight">Threadline</span>
        <span className="text-xs text-slate-400">{info ? `${info.host === 'electron' ? 'Desktop' : 'Web host'} · v${info.version}` : ''}</span>
        <div className="ml-auto flex items-center gap-3">
          {topRight}
          {badge ?? <ConnectionBadge status={status} />}
        </div>
      </header>
      <nav aria-label="Workspace" className="flex flex-col items-center gap-1 border-r border-slate-200 bg-white py-3">
        {NAV.map((n) => (
          <button
            key={n.id}
            type="button"
            onClick={() => onNavigate(n.id)}
            aria-current={active === n.id ? 'page' : undefined}
            aria-keyshortcuts={n.shortcut}
            title={`${n.label} (${n.shortcut})`}
            className={`flex w-14 flex-col items-center rounded-lg py-2 text-[11px] ${active === n.id ? 'bg-sky-100 text-sky-900' : 'text-slate-600 hover:bg-slate-100'}`}
          >
            <span aria-hidden="true" className="text-lg leading-none">{n.icon}</span>
            {n.label}
          </button>
        ))}
      </nav>
      <main className="overflow-auto p-6" id="main-pane">{main}</main>
      <aside aria-label="Customer details" className="overflow-auto border-l border-slate-200 bg-white p-4">{side}</aside>
    </div>
  );
}
