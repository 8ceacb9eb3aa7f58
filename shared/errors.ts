/**
 * Stable error codes. Clients, logs and tests match on `code`, never on message text,
 * so messages may be reworded freely while codes stay fixed once shipped.
 */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  BRIDGE_UNKNOWN_CHANNEL: 'BRIDGE_UNKNOWN_CHANNEL',
  BRIDGE_INVALID_ARGS: 'BRIDGE_INVALID_ARGS',
  BRIDGE_INVALID_RESULT: 'BRIDGE_INVALID_RESULT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNKNOWN_COLLECTION: 'UNKNOWN_COLLECTION',
  RATE_LIMITED: 'RATE_LIMITED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  SESSION_REVOKED: 'SESSION_REVOKED',
  REFRESH_REUSED: 'REFRESH_REUSED',
  INGRESS_IDENTITY_INVALID: 'INGRESS_IDENTITY_INVALID',
  INGRESS_SIGNATURE_INVALID: 'INGRESS_SIGNATURE_INVALID',
  INGRESS_MALFORMED_MESSAGE: 'INGRESS_MALFORMED_MESSAGE',
  INGRESS_UNKNOWN_ADDRESS: 'INGRESS_UNKNOWN_ADDRESS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  OUTBOUND_FAILED: 'OUTBOUND_FAILED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** Turns zod issues into a short human sentence plus structured details. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
