import { RupError } from '../errors.js';
import { editAction } from './actions/edit.js';
import { exportCsvAction, exportCsvIdAction } from './actions/export-csv.js';
import { logInUser, loginAction } from './actions/login.js';
import { logoutAction } from './actions/logout.js';
import { newAction } from './actions/new.js';
import { registrationActions } from './actions/registration-actions.js';
import { restoreAction, retireAction } from './actions/retire.js';
import { searchAction } from './actions/search.js';
import { showAction } from './actions/show.js';
import { sessionServices } from './session/session-services.js';
import type { ActionOutcome, WebAction, WebRequest } from './web-types.js';

/**
 * The `@action`s of a tracker's web interface (Roundup's Client.actions
 * and the tracker's cgi_actions), by lower-case name. Three sources, later
 * ones overriding earlier ones as in Roundup (tracker-defined actions win
 * over built-ins):
 * 1. the built-in actions (BUILTIN_ACTIONS);
 * 2. actions the app is given (`options.actions`);
 * 3. actions the tracker's extensions register (`instance.registerAction`).
 */

/**
 * Roundup's actions: login, logout, edit, new, retire, restore, search,
 * show, export_csv, export_csv_id, and register, confrego and passrst
 * (their keys live in the tracker's one-time-key store, and a confirmed
 * registration logs the new user in).
 */
export const BUILTIN_ACTIONS: readonly WebAction[] = [
  loginAction,
  logoutAction,
  editAction,
  newAction,
  retireAction,
  restoreAction,
  searchAction,
  showAction,
  exportCsvAction,
  exportCsvIdAction,
  ...registrationActions({
    oneTimeKeys: (req) => sessionServices(req.tracker).oneTimeKeys(),
    logIn: (req, user) => logInUser(req, user.username),
  }),
];

type ActionClass = (new () => { run(req: WebRequest): Promise<ActionOutcome> }) & { changesData?: boolean };

/**
 * Turns what an extension registered into a WebAction. Accepted: an object
 * with `run(req)` (and optionally `changesData`), a class whose instances
 * have `run(req)` (made anew for each request, like Roundup's action
 * classes; `static changesData`), or an async function `(req) => outcome`.
 * Actions change data unless they say otherwise, so they need POST.
 * @throws RupError RUP_ERR_PLUGIN naming the action when it is none of these.
 */
export function extensionAction(name: string, registered: unknown): WebAction {
  const lower = name.toLowerCase();
  if (typeof registered === 'function') {
    const proto = (registered as { prototype?: { run?: unknown } }).prototype;
    if (proto && typeof proto.run === 'function') {
      const Cls = registered as ActionClass;
      return { name: lower, changesData: Cls.changesData ?? true, run: (req) => new Cls().run(req) };
    }
    const fn = registered as (req: WebRequest) => Promise<ActionOutcome>;
    return { name: lower, changesData: true, run: async (req) => fn(req) };
  }
  if (registered !== null && typeof registered === 'object' && typeof (registered as { run?: unknown }).run === 'function') {
    const action = registered as Partial<WebAction> & { run: WebAction['run'] };
    return { name: lower, changesData: action.changesData ?? true, run: (req) => action.run.call(action, req) };
  }
  throw new RupError('RUP_ERR_PLUGIN', `extension action "${name}": register an object with run(req), a class with run(req), or an async function (req) => outcome`);
}

/** The actions of one tracker app, by lower-case name. */
export class ActionRegistry {
  private readonly actions = new Map<string, WebAction>();

  /**
   * @throws RupError RUP_ERR_PLUGIN when an extension registered something
   *   that is not an action (checked when the app is created, not when used).
   */
  constructor(builtins: readonly WebAction[], extra: readonly WebAction[], fromExtensions: ReadonlyMap<string, unknown>) {
    for (const action of [...builtins, ...extra]) this.actions.set(action.name.toLowerCase(), action);
    for (const [name, registered] of fromExtensions) this.actions.set(name.toLowerCase(), extensionAction(name, registered));
  }

  /** The action of that name (case-insensitive), or undefined. */
  get(name: string): WebAction | undefined {
    return this.actions.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }
}
