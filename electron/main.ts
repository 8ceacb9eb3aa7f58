import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, Notification, app, ipcMain, net, powerMonitor, protocol, session, shell } from 'electron';
import log from 'electron-log/main';
import { bridgeChannels, bridgeEventChannel, ipcChannel } from '../shared/bridge';
import { findDialLink, parseDialLink, type DialRequest } from './dial-links';
import { chooseHidDevice } from './hid-chooser';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, appFilePath, appSchemePrivileges } from './app-protocol';
import { createIpcDispatcher } from './ipc-handlers';
import { loadPolicy } from './policy';
import { GRANTED_PERMISSIONS, contentSecurityPolicy, isAppUrl, secureWindowOptions } from './window-options';

const DEFAULT_SERVER_URL = 'http://127.0.0.1:4010';

if (!app.requestSingleInstanceLock()) app.quit();
// Must happen before 'ready': the renderer's origin is threadline-app://bundle (see app-protocol.ts).
protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
const rendererRoot = join(import.meta.dirname, '../renderer');

const policyState = loadPolicy({ platform: process.platform });
if (policyState.error) log.warn({ error: policyState.error }, 'managed policy ignored');
// A policy-set server beats the environment, which beats the default.
const serverUrl = policyState.policy.serverUrl ?? process.env.THREADLINE_SERVER_URL ?? DEFAULT_SERVER_URL;
const sipServers = policyState.policy.sipServers
  ?? (process.env.THREADLINE_SIP_SERVERS ?? '').split(',').map((u) => u.trim()).filter((u) => /^wss?:\/\//.test(u));

let mainWindow: BrowserWindow | undefined;

function appOrigin(): string {
  return process.env.ELECTRON_RENDERER_URL ? new URL(process.env.ELECTRON_RENDERER_URL).origin : APP_ORIGIN;
}

function registerIpc(): void {
  const dispatch = createIpcDispatcher({
    getAppInfo: () => ({ name: 'Threadline', version: app.getVersion(), platform: process.platform, host: 'electron', serverUrl, sipServers }),
    getPolicy: () => ({ policy: policyState.policy, source: policyState.source, lockedKeys: policyState.lockedKeys }),
    openExternal: async (url) => {
      await shell.openExternal(url);
      return { opened: true };
    },
    notify: ({ title, body }) => {
      if (!Notification.isSupported()) return { shown: false };
      new Notification({ title, body }).show();
      return { shown: true };
    },
  });
  for (const c of bridgeChannels) {
    ipcMain.handle(ipcChannel(c), (event, args: unknown) => {
      // Only our own top frame may call main.
      if (!event.senderFrame || !isAppUrl(event.senderFrame.url, appOrigin())) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'caller is not the app' } };
      }
      return dispatch(c, args);
    });
  }
}

function hardenSession(): void {
  const server = new URL(serverUrl);
  const wsOrigin = `${server.protocol === 'https:' ? 'wss' : 'ws'}://${server.host}`;
  const sip = [...(policyState.policy.allowedSipServers ?? ['ws://127.0.0.1:*', 'wss://*']), ...sipServers.map((u) => new URL(u).origin)];
  const csp = contentSecurityPolicy([server.origin, wsOrigin, ...sip]);
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((wc, permission, cb) => {
    cb(GRANTED_PERMISSIONS.has(permission) && isAppUrl(wc.getURL(), appOrigin()));
  });
  // WebHID: Electron shows no chooser, so main picks the headset (see hid-chooser.ts).
  session.defaultSession.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    if (!isAppUrl(details.frame?.url ?? '', appOrigin())) return callback('');
    callback(chooseHidDevice(details.deviceList));
  });
  session.defaultSession.setDevicePermissionHandler((d) => d.deviceType === 'hid' && isAppUrl(d.origin, appOrigin()));
  session.defaultSession.setPermissionCheckHandler((_wc, permission, origin) =>
    GRANTED_PERMISSIONS.has(permission) && isAppUrl(origin, appOrigin()));
}

function createWindow(): void {
  mainWindow = new BrowserWindow(secureWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  const wc = mainWindow.webContents;
  wc.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, appOrigin())) e.preventDefault();
  });
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('will-attach-webview', (e) => e.preventDefault());
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  wc.on('did-finish-load', () => {
    const d = pendingDial;
    pendingDial = undefined;
    deliverDial(d);
  });
  if (process.env.ELECTRON_RENDERER_URL) void mainWindow.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void mainWindow.loadURL(APP_ENTRY_URL);
}

let pendingDial: DialRequest | undefined = findDialLink(process.argv);

function deliverDial(dial: DialRequest | undefined): void {
  if (!dial) return;
  if (!mainWindow || mainWindow.webContents.isLoading()) {
    pendingDial = dial;
    return;
  }
  mainWindow.webContents.send(bridgeEventChannel('dial'), dial);
}

app.on('second-instance', (_e, argv) => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
  deliverDial(findDialLink(argv));
});
// macOS hands links over as open-url events, possibly before the app is ready.
app.on('open-url', (e, url) => {
  e.preventDefault();
  deliverDial(parseDialLink(url));
});
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, appOrigin())) e.preventDefault();
  });
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void app.whenReady().then(() => {
  log.initialize();
  protocol.handle(APP_SCHEME, (req) => {
    const file = appFilePath(req.url, rendererRoot);
    return file ? net.fetch(pathToFileURL(file).href) : new Response('not found', { status: 404 });
  });
  for (const scheme of ['tel', 'sip']) app.setAsDefaultProtocolClient(scheme);
  hardenSession();
  registerIpc();
  createWindow();
  // Sockets are dead after sleep even when the OS reports them open; tell the renderer at once.
  powerMonitor.on('resume', () => mainWindow?.webContents.send(bridgeEventChannel('resume'), { reason: 'sleep', at: Date.now() }));
  powerMonitor.on('unlock-screen', () => mainWindow?.webContents.send(bridgeEventChannel('resume'), { reason: 'unlock', at: Date.now() }));
  log.info({ serverUrl, policySource: policyState.source }, 'threadline started');
});
