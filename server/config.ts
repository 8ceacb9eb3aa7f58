import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from '../shared/errors';

const ConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4010),
  host: z.string().min(1).default('127.0.0.1'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  dataDir: z.string().min(1).default('.data/server'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  seedDemo: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Origins allowed to call the API from a browser (the web host, Electron's app origin). */
  corsOrigins: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Inbound SMTP listener port; unset leaves it off, 0 picks a free port. */
  smtpPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** Relay for outbound email replies, as a nodemailer URL (smtp://host:port). */
  smtpRelayUrl: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  /** Outbound SMS/chat adapter: replies are POSTed here, signed with the secret. */
  outboundWebhookUrl: z.string().url().optional(),
  outboundWebhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
});
export type ServerConfig = z.infer<typeof ConfigSchema>;

const flagToKey: Record<string, keyof z.input<typeof ConfigSchema>> = {
  '--port': 'port',
  '--host': 'host',
  '--database-url': 'databaseUrl',
  '--data-dir': 'dataDir',
  '--log-level': 'logLevel',
  '--seed-demo': 'seedDemo',
  '--cors-origins': 'corsOrigins',
  '--smtp-port': 'smtpPort',
  '--smtp-relay-url': 'smtpRelayUrl',
  '--outbound-webhook-url': 'outboundWebhookUrl',
};

/** Flags beat environment variables, which beat defaults. Unknown flags are an error, not ignored. */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ServerConfig {
  const raw: Record<string, string | undefined> = {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    seedDemo: env.SEED_DEMO,
    corsOrigins: env.CORS_ORIGINS,
    jwtSecret: env.JWT_SECRET,
    smtpPort: env.SMTP_PORT || undefined,
    smtpRelayUrl: env.SMTP_RELAY_URL || undefined,
    outboundWebhookUrl: env.OUTBOUND_WEBHOOK_URL || undefined,
    outboundWebhookSecret: env.OUTBOUND_WEBHOOK_SECRET || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = flagToKey[flag];
    if (!key) throw new AppError(ErrorCode.CONFIG_INVALID, `unknown option ${flag} (known: ${Object.keys(flagToKey).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new AppError(ErrorCode.CONFIG_INVALID, `option ${flag} needs a value`);
    raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `invalid configuration: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}
