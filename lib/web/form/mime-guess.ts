/**
 * The MIME type of an uploaded file from its name, when the browser sent
 * none or only `application/octet-stream` (Roundup asks Python's
 * `mimetypes.guess_type`). The table holds the types people attach to
 * issues; the source-code types are the ones the download allow-list
 * knows (text/x-csrc, text/x-chdr, text/x-patch, text/x-python).
 */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  asc: 'text/plain',
  md: 'text/markdown',
  rst: 'text/x-rst',
  c: 'text/x-csrc',
  h: 'text/x-chdr',
  cc: 'text/x-c++src',
  cpp: 'text/x-c++src',
  hpp: 'text/x-c++hdr',
  patch: 'text/x-patch',
  diff: 'text/x-patch',
  py: 'text/x-python',
  java: 'text/x-java',
  sh: 'application/x-sh',
  xml: 'text/xml',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  css: 'text/css',
  html: 'text/html',
  htm: 'text/html',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  pdf: 'application/pdf',
  ps: 'application/postscript',
  rtf: 'application/rtf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  bz2: 'application/x-bzip2',
  xz: 'application/x-xz',
  tar: 'application/x-tar',
  '7z': 'application/x-7z-compressed',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  gif: 'image/gif',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/vnd.microsoft.icon',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  mp3: 'audio/mpeg',
  wav: 'audio/x-wav',
  webm: 'video/webm',
  mp4: 'video/mp4',
  eml: 'message/rfc822',
};

/** The type for a file name, or null when its extension is unknown. */
export function guessMimeType(filename: string): string | null {
  const dot = filename.lastIndexOf('.');
  if (dot < 0 || dot === filename.length - 1) return null;
  return BY_EXTENSION[filename.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * The type a new file item gets: the type the browser sent, unless it is
 * missing or the catch-all `application/octet-stream` (parameters such as
 * `; charset=` are dropped); then the guess
 * from the name; then `application/octet-stream` (Roundup's order).
 */
export function uploadMimeType(filename: string, sent: string | null | undefined): string {
  const given = (sent ?? '').split(';')[0]!.trim().toLowerCase();
  if (given && given !== 'application/octet-stream') return given;
  return guessMimeType(filename) ?? 'application/octet-stream';
}
