/**
 * The tracker's outgoing messages as the hyperdb's issue classes offer
 * them to detectors (`cl.nosymessage(...)`, `cl.send_message(...)`,
 * `cl.generateChangeNote(...)`, ...): Roundup's IssueClass methods on top
 * of the tracker's configuration and mailer.
 */

import type { HyperClass } from '../../hyperdb/hyper-class.js';
import type { Messaging, NosyMessageOptions, SendMessageOptions } from '../../hyperdb/messaging.js';
import type { TrackerConfig } from '../../tracker/config.js';
import { Mailer } from '../mailer.js';
import { generateChangeNote, generateCreateNote } from './change-note.js';
import { type NosyMailContext, sendNosyMail } from './nosy-mail.js';
import { nosyMessage } from './nosy-message.js';
import { nosySettings } from './nosy-settings.js';
import { emailSignature } from './signature.js';

/**
 * Nosy messages of one tracker. Settings and the mailer are taken from
 * the configuration at each message (so `[mail] debug`, SENDMAILDEBUG and
 * changed options apply at once), unless a mailer is given with
 * {@link useMailer}.
 */
export class NosyMessaging implements Messaging {
  private mailer: Mailer | null = null;

  constructor(private readonly config: TrackerConfig) {}

  /**
   * Sends nosy mail through `mailer` (one with extra TLS options, say)
   * instead of one made from the configuration; null goes back to that.
   */
  useMailer(mailer: Mailer | null): void {
    this.mailer = mailer;
  }

  private context(): NosyMailContext {
    return { settings: nosySettings(this.config), mailer: this.mailer ?? Mailer.fromConfig(this.config) };
  }

  nosymessage(cl: HyperClass, itemid: string, msgid: string | null, oldvalues: Record<string, unknown> | null, options: NosyMessageOptions): Promise<void> {
    return nosyMessage(this.context(), cl, itemid, msgid, oldvalues, options);
  }

  sendMessage(cl: HyperClass, itemid: string, msgid: string | null, note: string, sendto: readonly string[], options: SendMessageOptions): Promise<void> {
    return sendNosyMail(this.context(), cl, itemid, msgid, note, sendto, options);
  }

  generateCreateNote(cl: HyperClass, itemid: string): Promise<string> {
    return generateCreateNote(cl, itemid);
  }

  generateChangeNote(cl: HyperClass, itemid: string, oldvalues: Record<string, unknown>): Promise<string> {
    return generateChangeNote(cl, itemid, oldvalues);
  }

  emailSignature(cl: HyperClass, itemid: string): string {
    const s = nosySettings(this.config);
    return emailSignature(s.trackerName, s.trackerEmail, s.trackerWeb, cl.classname, itemid);
  }
}
