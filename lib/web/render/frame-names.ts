import nunjucks from 'nunjucks';

/**
 * Nunjucks sets every loop variable (`loop.index`, `loop.first`, ...) on
 * every iteration through `Frame.set`, which splits the dotted name each
 * time: a quarter of rendering an index page of 50 rows. The same method,
 * with the split of each name made once. Installed when this module is
 * first imported (template-set.ts); behaviour is unchanged.
 */

interface Frame {
  variables: Record<string, unknown>;
  resolve(name: string, forWrite: boolean): Frame | undefined;
  set(name: string, value: unknown, resolveUp?: boolean): void;
}

const paths = new Map<string, readonly string[]>();

function pathOf(name: string): readonly string[] {
  let path = paths.get(name);
  if (!path) {
    path = name.split('.');
    paths.set(name, path);
  }
  return path;
}

const proto = (nunjucks.runtime as unknown as { Frame: { prototype: Frame } }).Frame.prototype;
proto.set = function set(this: Frame, name: string, value: unknown, resolveUp?: boolean): void {
  const path = pathOf(name);
  if (resolveUp) {
    const frame = this.resolve(path[0]!, true);
    if (frame) {
      frame.set(name, value);
      return;
    }
  }
  let obj = this.variables;
  for (let i = 0; i < path.length - 1; i++) {
    const id = path[i]!;
    if (!obj[id]) obj[id] = {};
    obj = obj[id] as Record<string, unknown>;
  }
  obj[path[path.length - 1]!] = value;
};
