import { RupError } from '../errors.js';

/** The events auditors and reactors may be registered for (Roundup's list). */
export const DETECTOR_EVENTS = ['create', 'set', 'retire', 'restore'] as const;
export type DetectorEvent = (typeof DETECTOR_EVENTS)[number];

/**
 * An auditor runs before a change is applied and may modify `newvalues` or
 * throw `Reject`. `itemid` is null on create; `newvalues` is null for
 * retire and restore.
 */
export type Auditor<Db = unknown, Cl = unknown> = (
  db: Db,
  cl: Cl,
  itemid: string | null,
  newvalues: Record<string, unknown> | null,
) => unknown;

/**
 * A reactor runs after a change is applied, in the same transaction.
 * `oldvalues` is the whole item as it was before a set, null otherwise.
 */
export type Reactor<Db = unknown, Cl = unknown> = (
  db: Db,
  cl: Cl,
  itemid: string,
  oldvalues: Record<string, unknown> | null,
) => unknown;

interface Entry<F> {
  priority: number;
  seq: number;
  fn: F;
}

/** Detectors of one kind (auditors or reactors) for one class, kept in priority order. */
class PrioList<F> {
  private entries: Entry<F>[] = [];
  private seq = 0;

  add(fn: F, priority: number): void {
    this.entries.push({ fn, priority, seq: this.seq++ });
    // Lower numbers run first, as in Roundup; ties keep registration order.
    this.entries.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  }

  get functions(): F[] {
    return this.entries.map((e) => e.fn);
  }
}

function checkEvent(classname: string, event: string): asserts event is DetectorEvent {
  if (!(DETECTOR_EVENTS as readonly string[]).includes(event)) {
    throw new RupError(
      'RUP_ERR_SCHEMA',
      `class ${classname}: unknown detector event "${event}" (expected one of ${DETECTOR_EVENTS.join(', ')})`,
    );
  }
}

function checkFunction(classname: string, what: string, fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new RupError('RUP_ERR_SCHEMA', `class ${classname}: the ${what} registered is not a function`);
  }
}

/** The auditors and reactors of one class. Bad registrations fail when made, not when they would fire. */
export class DetectorRegistry {
  private readonly auditors = new Map<DetectorEvent, PrioList<Auditor<never, never>>>();
  private readonly reactors = new Map<DetectorEvent, PrioList<Reactor<never, never>>>();

  constructor(private readonly classname: string) {
    for (const event of DETECTOR_EVENTS) {
      this.auditors.set(event, new PrioList());
      this.reactors.set(event, new PrioList());
    }
  }

  audit(event: string, fn: unknown, priority = 100): void {
    checkEvent(this.classname, event);
    checkFunction(this.classname, 'auditor', fn);
    this.auditors.get(event)!.add(fn as Auditor<never, never>, Number(priority));
  }

  react(event: string, fn: unknown, priority = 100): void {
    checkEvent(this.classname, event);
    checkFunction(this.classname, 'reactor', fn);
    this.reactors.get(event)!.add(fn as Reactor<never, never>, Number(priority));
  }

  auditorsFor<Db, Cl>(event: DetectorEvent): Auditor<Db, Cl>[] {
    return this.auditors.get(event)!.functions as unknown as Auditor<Db, Cl>[];
  }

  reactorsFor<Db, Cl>(event: DetectorEvent): Reactor<Db, Cl>[] {
    return this.reactors.get(event)!.functions as unknown as Reactor<Db, Cl>[];
  }
}
