/**
 * What the security model needs to know about the tracker schema. The
 * hyperdb's Schema implements it; the security model never touches storage.
 */
export interface SecuritySchema {
  hasClass(classname: string): boolean;
  /** every property name of the class, including id, creation, activity, creator, actor */
  propertyNames(classname: string): string[];
  /** the target class of a Link/Multilink property, else undefined */
  linkTarget(classname: string, prop: string): string | undefined;
  labelProp(classname: string): string;
  orderProp(classname: string): string;
}
