import { readFile } from 'node:fs/promises';

/**
 * `/favicon.ico` of roundup-server: the configured icon file (`[main]
 * favicon`), or when it cannot be read, a built-in 16x16 icon, answered as
 * `image/x-icon` cached for a day (as Roundup does).
 */

const SIZE = 16;

/** A 16x16 32-bit icon: a round badge in two shades, drawn here so no binary asset has to ship. */
function drawBuiltinIcon(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  const centre = (SIZE - 1) / 2;
  for (let row = 0; row < SIZE; row++) {
    for (let col = 0; col < SIZE; col++) {
      const distance = Math.hypot(col - centre, row - centre);
      // BMP rows run bottom-up; the badge is symmetric, so only the offset matters.
      const at = ((SIZE - 1 - row) * SIZE + col) * 4;
      if (distance > 7.5) continue;
      const ring = distance > 5.5;
      pixels[at] = ring ? 0x8a : 0xe0; // blue
      pixels[at + 1] = ring ? 0x4a : 0xb8; // green
      pixels[at + 2] = ring ? 0x1f : 0x6a; // red
      pixels[at + 3] = 0xff; // alpha
    }
  }
  const andMask = Buffer.alloc(SIZE * 4); // one bit per pixel, rows padded to 32 bits; alpha decides
  const bitmap = Buffer.alloc(40);
  bitmap.writeUInt32LE(40, 0);
  bitmap.writeInt32LE(SIZE, 4);
  bitmap.writeInt32LE(SIZE * 2, 8); // colour rows plus mask rows
  bitmap.writeUInt16LE(1, 12);
  bitmap.writeUInt16LE(32, 14);
  bitmap.writeUInt32LE(pixels.length + andMask.length, 20);
  const image = Buffer.concat([bitmap, pixels, andMask]);
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(SIZE, 6);
  header.writeUInt8(SIZE, 7);
  header.writeUInt16LE(1, 10);
  header.writeUInt16LE(32, 12);
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, image]);
}

/** The built-in icon. */
export const BUILTIN_FAVICON: Buffer = drawBuiltinIcon();

/** The response headers of the favicon. */
export const FAVICON_HEADERS = { 'Content-Type': 'image/x-icon', 'Cache-Control': 'public, max-age=86400' } as const;

/** The icon to serve: the file's bytes, or the built-in icon when `file` is unset or unreadable. */
export async function faviconBytes(file: string | null | undefined): Promise<Buffer> {
  if (!file) return BUILTIN_FAVICON;
  try {
    return await readFile(file);
  } catch {
    return BUILTIN_FAVICON;
  }
}
