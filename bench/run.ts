import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- <name>` runs bench/<name>.bench.ts, whose default export returns the figures it
 * measured, and writes them to bench/results/<name>.json.
 */
export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  peer?: Record<string, unknown> & { ratio?: number };
  targets?: Record<string, string>;
  environment?: Record<string, unknown>;
}

async function main() {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9-]+$/.test(name)) {
    console.error('usage: npm run bench -- <name>   (e.g. sync, replica, softphone)');
    process.exit(2);
  }
  let mod: { default: () => Promise<BenchResult> };
  try {
    mod = (await import(`./${name}.bench.ts`)) as typeof mod;
  } catch (err) {
    console.error(`no benchmark named ${name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const result = await mod.default();
  const out = {
    ...result,
    measuredAt: new Date().toISOString(),
    environment: { node: process.version, platform: process.platform, ...result.environment },
  };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
  console.log(`wrote ${file}`);
  process.exit(0);
}

void main();
