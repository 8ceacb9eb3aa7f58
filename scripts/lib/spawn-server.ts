import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `server/main.ts` as a child and resolves with its URL once it listens. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = process.env, echo = true): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveP, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /^THREADLINE_SERVER_URL=(.+)$/.exec(line);
      if (m) {
        resolveP({
          url: m[1]!,
          child,
          stop: () => new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
        });
      } else if (echo) process.stdout.write(`${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code} before listening`)));
  });
}
