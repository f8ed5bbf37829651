// Business hours per inbox: a weekly schedule in an IANA time zone, plus holidays. Pure and
// platform-free: wall-clock conversion uses Intl.DateTimeFormat only (works on Node and Workers).
// No schedule = always open (24/7).
import { z } from 'zod';
import { registerInboxSettings } from '../inboxes/inbox-settings.js';

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Day = (typeof DAYS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'times are "HH:MM" (00:00-24:00)');
const range = z.tuple([hhmm, hhmm]).refine(([a, b]) => toMinutes(a) < toMinutes(b), 'a range must end after it starts');

export const businessHoursSchema = z.object({
  timezone: z.string().refine(validTimeZone, 'timezone must be an IANA time zone such as Asia/Shanghai'),
  weekly: z.object(Object.fromEntries(DAYS.map((d) => [d, z.array(range).optional()])) as Record<Day, z.ZodOptional<z.ZodArray<typeof range>>>),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'holidays are YYYY-MM-DD')).optional(),
});
registerInboxSettings('businessHours', businessHoursSchema);
export type BusinessHours = z.infer<typeof businessHoursSchema>;

export interface Calendar {
  /** True when `at` (epoch ms) is inside the schedule. */
  isOpen(at: number): boolean;
  /** Open milliseconds between a and b (0 when b <= a). */
  businessMsBetween(a: number, b: number): number;
  /** The instant when `ms` open milliseconds have passed since `start`; Infinity if never. */
  addBusinessMs(start: number, ms: number): number;
}

const DAY_MS = 86_400_000;
/** How far ahead we look for open time before giving up (a schedule with no open day). */
const MAX_DAYS = 400;

function toMinutes(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h * 60 + m;
}

function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

export const alwaysOpen: Calendar = {
  isOpen: () => true,
  businessMsBetween: (a, b) => Math.max(0, b - a),
  addBusinessMs: (start, ms) => start + Math.max(0, ms),
};

/** The calendar for an inbox's `businessHours` setting; invalid or absent -> 24/7. */
export function calendarFromSettings(settings: Record<string, unknown> | null | undefined): Calendar {
  const key = JSON.stringify(settings?.businessHours ?? null);
  let cal = calendars.get(key);
  if (!cal) {
    const parsed = businessHoursSchema.safeParse(settings?.businessHours);
    cal = parsed.success ? businessCalendar(parsed.data) : alwaysOpen;
    if (calendars.size > 256) calendars.clear();
    calendars.set(key, cal);
  }
  return cal;
}
// Calendars are pure functions of their schedule: one per distinct schedule is enough.
const calendars = new Map<string, Calendar>();

export function hasBusinessHours(settings: Record<string, unknown> | null | undefined): boolean {
  return businessHoursSchema.safeParse(settings?.businessHours).success;
}

export function businessCalendar(bh: BusinessHours | null | undefined): Calendar {
  if (!bh) return alwaysOpen;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: bh.timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const holidays = new Set(bh.holidays ?? []);
  const weekly = DAYS.map((d) => [...(bh.weekly[d] ?? [])].map(([a, b]) => [toMinutes(a), toMinutes(b)] as const).sort((x, y) => x[0] - y[0]));
  const anyOpen = weekly.some((w) => w.length > 0);

  /** Wall-clock fields of an instant in the zone, as a UTC timestamp of those fields. */
  const wallAsUtc = (t: number): number => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  };
  const offsetAt = (t: number) => wallAsUtc(Math.floor(t / 1000) * 1000) - Math.floor(t / 1000) * 1000;
  /** The instant a wall-clock time (given as UTC fields) happens in the zone. DST gaps move forward. */
  const wallToInstant = (wall: number): number => {
    let t = wall - offsetAt(wall);
    t = wall - offsetAt(t);
    return t;
  };
  /** Local midnight (as a wall UTC timestamp) of the day containing instant t. */
  const localDay = (t: number) => Math.floor(wallAsUtc(t) / DAY_MS) * DAY_MS;
  const isoDay = (wallDay: number) => new Date(wallDay).toISOString().slice(0, 10);

  /** Open intervals [start, end) as instants for the local day starting at wallDay (memoized: Intl is slow). */
  const memo = new Map<number, [number, number][]>();
  const intervals = (wallDay: number): [number, number][] => {
    let v = memo.get(wallDay);
    if (v) return v;
    const dow = new Date(wallDay).getUTCDay();
    v = holidays.has(isoDay(wallDay)) ? [] : weekly[dow].map(([a, b]) => [wallToInstant(wallDay + a * 60_000), wallToInstant(wallDay + b * 60_000)] as [number, number]);
    if (memo.size > 4096) memo.clear();
    memo.set(wallDay, v);
    return v;
  };

  return {
    isOpen(at) {
      // The day before too: a DST shift can put an instant near midnight on either side.
      const day = localDay(at);
      return [day - DAY_MS, day].some((d) => intervals(d).some(([s, e]) => at >= s && at < e));
    },
    businessMsBetween(a, b) {
      if (b <= a) return 0;
      let total = 0;
      const last = localDay(b);
      for (let d = localDay(a) - DAY_MS, n = 0; d <= last && n < MAX_DAYS * 10; d += DAY_MS, n++) {
        for (const [s, e] of intervals(d)) total += Math.max(0, Math.min(e, b) - Math.max(s, a));
      }
      return total;
    },
    addBusinessMs(start, ms) {
      let left = Math.max(0, ms);
      if (!anyOpen) return left === 0 ? start : Number.POSITIVE_INFINITY;
      for (let d = localDay(start) - DAY_MS, n = 0; n < MAX_DAYS; d += DAY_MS, n++) {
        for (const [s, e] of intervals(d)) {
          const from = Math.max(s, start);
          if (e <= from) continue;
          if (left <= e - from) return from + left;
          left -= e - from;
        }
      }
      return Number.POSITIVE_INFINITY;
    },
  };
}
