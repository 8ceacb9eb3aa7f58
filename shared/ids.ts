import { monotonicFactory } from 'ulid';

/**
 * Documents are created offline on any workstation, so ids must be unique without asking the
 * server and sort by creation time: ULIDs. A monotonic factory keeps ids made in the same
 * millisecond ordered.
 */
const next = monotonicFactory();
export function newId(now: number = Date.now()): string {
  return next(now);
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
