/**
 * What roundup-admin says about itself. Where Roundup prints its own name
 * and version ("Roundup 2.6.0 ready for input.", `-v`: "2.6.0 (python
 * 3.11.7)"), we print ours and the Node.js version: a script that checks
 * the version must see the software it really talks to.
 */
import { PACKAGE_VERSION } from '../util/package-info.js';

export const PRODUCT_NAME = 'rup-tracker';
export const PRODUCT_VERSION = PACKAGE_VERSION;

/** The `-v` line: `0.1.0 (node 20.17.0)`, in the form of Roundup's `2.6.0 (python 3.11.7)`. */
export function versionLine(): string {
  return `${PRODUCT_VERSION} (node ${process.versions.node})`;
}
