import type { TrackerConfig } from '../../tracker/config.js';

/**
 * The options nosy messages are made from, read from the tracker's
 * configuration each time a message goes out (so a changed config applies
 * at once): `[tracker] name/email/web/replyto_address`, `[main]
 * email_from_tag`, `[mail] domain/charset/add_authorinfo/add_authoremail`
 * and the whole `[nosy]` section.
 */
export interface NosySettings {
  trackerName: string;
  /** `[tracker] email`: From: and Reply-To: address of nosy mail. */
  trackerEmail: string;
  /** `[tracker] web`, for the signature and links to files too big to attach. */
  trackerWeb: string;
  /** `[tracker] replyto_address`: empty (the tracker), `AUTHOR`, or an address. */
  replyTo: string;
  /** `[main] email_from_tag`, added to the author's name in From:. */
  emailFromTag: string;
  /** `[mail] domain`, for generated Message-Ids. */
  mailDomain: string;
  /** `[mail] charset`. */
  charset: string;
  /** `[mail] add_authorinfo`: the "X added the comment:" line. */
  addAuthorinfo: boolean;
  /** `[mail] add_authoremail`: the author's address in that line. */
  addAuthoremail: boolean;
  /** `[nosy] messages_to_author`. */
  messagesToAuthor: 'yes' | 'no' | 'new' | 'nosy';
  /** `[nosy] signature_position`. */
  signaturePosition: 'top' | 'bottom' | 'none';
  /** `[nosy] email_sending`: one mail to everybody or one per recipient. */
  emailSending: 'single' | 'multiple';
  /** `[nosy] max_attachment_size` in bytes. */
  maxAttachmentSize: number;
}

/** The nosy settings of a tracker configuration as it is now. */
export function nosySettings(config: TrackerConfig): NosySettings {
  return {
    trackerName: config.TRACKER_NAME as string,
    trackerEmail: config.TRACKER_EMAIL as string,
    trackerWeb: config.TRACKER_WEB as string,
    replyTo: config.TRACKER_REPLYTO_ADDRESS as string,
    emailFromTag: config.EMAIL_FROM_TAG as string,
    mailDomain: config.MAIL_DOMAIN as string,
    charset: config.MAIL_CHARSET as string,
    addAuthorinfo: config.MAIL_ADD_AUTHORINFO as boolean,
    addAuthoremail: config.MAIL_ADD_AUTHOREMAIL as boolean,
    messagesToAuthor: config.NOSY_MESSAGES_TO_AUTHOR as NosySettings['messagesToAuthor'],
    signaturePosition: config.NOSY_SIGNATURE_POSITION as NosySettings['signaturePosition'],
    emailSending: config.NOSY_EMAIL_SENDING as NosySettings['emailSending'],
    maxAttachmentSize: config.NOSY_MAX_ATTACHMENT_SIZE as number,
  };
}
