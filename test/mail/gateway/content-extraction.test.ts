import assert from 'node:assert/strict';
import { type ExtractionSettings, decodeText, extractContent, htmlToText } from '../../../lib/mail/gateway/content-extraction.js';
import { MailUsageError } from '../../../lib/mail/gateway/gateway-errors.js';
import { parseMail } from '../../../lib/mail/gateway/mime-message.js';
import { mail } from './gateway-fixtures.js';

const DEFAULTS: ExtractionSettings = { ignoreAlternatives: false, unpackRfc822: false, convertHtmlToText: 'none' };

async function extract(text: string | Buffer, settings: Partial<ExtractionSettings> = {}) {
  const parsed = await parseMail(typeof text === 'string' ? mail(text) : text);
  const result = await extractContent(parsed.root, { ...DEFAULTS, ...settings });
  return {
    content: result.content,
    files: result.attachments.map((a) => ({ name: a.name, type: a.type, content: a.content.toString('latin1') })),
  };
}

const HEAD = `From: mary <mary@test.test>
To: issue_tracker@example.com
Subject: [issue1] Testing...
`;

// Roundup's test_mailgw multipart_msg: two alternatives inside a mixed message.
const MULTIPART = `${HEAD}Content-Type: multipart/mixed; boundary="bxyzzy"

--bxyzzy
Content-Type: multipart/alternative; boundary="bCsyhTFzCvuiizWE"

--bCsyhTFzCvuiizWE
Content-Type: text/plain; charset=us-ascii

test attachment first text/plain

--bCsyhTFzCvuiizWE
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="first.dvi"
Content-Transfer-Encoding: base64

SnVzdCBhIHRlc3QgAQo=

--bCsyhTFzCvuiizWE
Content-Type: text/plain; charset=us-ascii

test attachment second text/plain

--bCsyhTFzCvuiizWE
Content-Type: text/html

<html>
to be ignored.
</html>

--bCsyhTFzCvuiizWE--

--bxyzzy
Content-Type: multipart/alternative; boundary="bCsyhTFzCvuiizWF"

--bCsyhTFzCvuiizWF
Content-Type: text/plain; charset=us-ascii

test attachment third text/plain

--bCsyhTFzCvuiizWF
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="second.dvi"
Content-Transfer-Encoding: base64

SnVzdCBhIHRlc3QK

--bCsyhTFzCvuiizWF--

--bxyzzy--
`;

const RFC822 = `${HEAD}Content-Type: multipart/mixed; boundary=001485f339f8f361fb049188dbba

This is a multi-part message in MIME format.
--001485f339f8f361fb049188dbba
Content-Type: text/plain; charset=ISO-8859-15
Content-Transfer-Encoding: 7bit

First part: Text

--001485f339f8f361fb049188dbba
Content-Type: message/rfc822; name="Fwd: Original email subject.eml"
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="Fwd: Original email subject.eml"

Message-Id: <followup_dummy_id_2>
MIME-Version: 1.0
Subject: Fwd: Original email subject
Content-Type: multipart/alternative; boundary="090500050101020406060002"

This is a multi-part message in MIME format.
--090500050101020406060002
Content-Type: text/plain; charset=ISO-8859-15; format=flowed
Content-Transfer-Encoding: 7bit

some text in inner email
========================

--090500050101020406060002
Content-Type: text/html; charset=ISO-8859-15
Content-Transfer-Encoding: 7bit

<html>
some text in inner email
========================
</html>

--090500050101020406060002--

--001485f339f8f361fb049188dbba--
`;

describe('mail gateway: message text and attachments', () => {
  it('takes the later text alternative as the message and attaches the rest in order (Roundup multipart_msg)', async () => {
    const { content, files } = await extract(MULTIPART);
    assert.equal(content, 'test attachment second text/plain\n');
    assert.deepEqual(
      files.map((f) => [f.name, f.type]),
      [
        ['first.dvi', 'application/octet-stream'],
        [null, 'text/plain'],
        [null, 'text/html'],
        [null, 'text/plain'],
        ['second.dvi', 'application/octet-stream'],
      ],
    );
    assert.equal(files[0]!.content, 'Just a test \u0001\n');
    assert.equal(files[1]!.content, 'test attachment first text/plain\n');
    assert.equal(files[3]!.content, 'test attachment third text/plain\n');
    assert.equal(files[4]!.content, 'Just a test\n');
  });

  it('drops the other alternatives of the message text with ignore_alternatives', async () => {
    const { content, files } = await extract(MULTIPART, { ignoreAlternatives: true });
    assert.equal(content, 'test attachment second text/plain\n');
    assert.deepEqual(files.map((f) => [f.name, f.content]), [
      [null, 'test attachment third text/plain\n'],
      ['second.dvi', 'Just a test\n'],
    ]);
  });

  it('attaches a forwarded message whole, named after its subject', async () => {
    const { content, files } = await extract(RFC822);
    assert.equal(content, 'First part: Text\n');
    assert.equal(files.length, 1);
    assert.equal(files[0]!.name, 'Fwd: Original email subject.eml');
    assert.equal(files[0]!.type, 'message/rfc822');
    assert.match(files[0]!.content, /^Message-Id: <followup_dummy_id_2>\n[\s\S]*some text in inner email[\s\S]*--090500050101020406060002--\n$/);
  });

  it('unpacks a forwarded message into its parts with unpack_rfc822', async () => {
    const { content, files } = await extract(RFC822, { unpackRfc822: true });
    assert.equal(content, 'First part: Text\n');
    assert.deepEqual(files, [
      { name: null, type: 'text/plain', content: 'some text in inner email\n========================\n' },
      { name: null, type: 'text/html', content: '<html>\nsome text in inner email\n========================\n</html>\n' },
    ]);
  });

  it('decodes text from its charset and keeps other attachments byte for byte', async () => {
    const { content, files } = await extract(`${HEAD}Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

A message with encoding (encoded oe =F6)
--B
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=testfile
Content-Transfer-Encoding: quoted-printable

in latin-1 format =E4=F6=FC=C4=D6=DC=DF
--B
Content-Type: text/plain; charset="iso-8859-1"
Content-Disposition: attachment; filename="notes.txt"
Content-Transfer-Encoding: quoted-printable

umlaut =E4
--B--
`);
    assert.equal(content, 'A message with encoding (encoded oe ö)');
    assert.deepEqual(files[0], { name: 'testfile', type: 'application/octet-stream', content: 'in latin-1 format \xE4\xF6\xFC\xC4\xD6\xDC\xDF' });
    // A text attachment is stored as UTF-8, as Roundup stores decoded text.
    assert.deepEqual(files[1], { name: 'notes.txt', type: 'text/plain', content: Buffer.from('umlaut ä', 'utf8').toString('latin1') });
  });

  it('decodes an encoded file name (RFC 2047 and RFC 2231)', async () => {
    const { files } = await extract(`${HEAD}Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain

text
--B
Content-Type: application/octet-stream
Content-Disposition: attachment;
    filename==?iso-8859-1?Q?20210312=5FM=FCnchen=5FRepor?=
    =?iso-8859-1?Q?t.pdf?=

x
--B
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.txt

y
--B--
`);
    assert.deepEqual(files.map((f) => f.name), ['20210312_München_Report.pdf', 'Grüße.txt']);
  });

  it('leaves HTML-only mail without text unless convert_htmltotext allows converting it', async () => {
    const html = `${HEAD}Content-Type: text/html; charset="utf-8"

<html><body><p>Please <b>add</b> me.</p><script>alert(1)</script><p>Thanks &amp; bye</p></body></html>
`;
    const none = await extract(html);
    assert.equal(none.content, null);
    assert.deepEqual(none.files.map((f) => f.type), ['text/html']);
    const converted = await extract(html, { convertHtmlToText: 'dehtml' });
    assert.equal(converted.content, 'Please add me.\n\nThanks & bye');
    assert.deepEqual(converted.files.map((f) => [f.name, f.type]), [[null, 'text/html']]);
    assert.match(converted.files[0]!.content, /<script>alert\(1\)<\/script>/);
  });

  it('prefers a text alternative that follows converted HTML, keeping the HTML as a file', async () => {
    const { content, files } = await extract(
      `${HEAD}Content-Type: multipart/alternative; boundary="B"

--B
Content-Type: text/html

<p>HTML first</p>
--B
Content-Type: text/plain

Plain second
--B--
`,
      { convertHtmlToText: 'beautifulsoup' },
    );
    assert.equal(content, 'Plain second');
    assert.deepEqual(files.map((f) => [f.type, f.content]), [['text/html', '<p>HTML first</p>']]);
  });

  it('converts HTML next to a non-text alternative (Roundup multipart_msg_notext)', async () => {
    const { content, files } = await extract(
      `${HEAD}Content-Type: multipart/alternative; boundary=001485f339f8f361fb049188dbba

--001485f339f8f361fb049188dbba
Content-Type: text/csv; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

75,23,16,18

--001485f339f8f361fb049188dbba
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

<html><body><h2>Prerequisites</h2><p>umlaut =E4=F6=FC</p></body></html>
--001485f339f8f361fb049188dbba--
`,
      { convertHtmlToText: 'dehtml' },
    );
    assert.equal(content, 'PREREQUISITES\n\numlaut äöü');
    assert.deepEqual(files.map((f) => [f.name, f.type]), [
      [null, 'text/csv'],
      [null, 'text/html'],
    ]);
    assert.equal(files[0]!.content, '75,23,16,18\n');
  });

  it('does not keep the signature of a PGP-signed message', async () => {
    const { content, files } = await extract(`${HEAD}Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="S"

--S
Content-Type: text/plain

signed text
--S
Content-Type: application/pgp-signature

-----BEGIN PGP SIGNATURE-----
xx
-----END PGP SIGNATURE-----
--S--
`);
    assert.equal(content, 'signed text');
    assert.deepEqual(files, []);
  });

  it('reads text without a charset as UTF-8 when valid, else as ISO-8859-1', () => {
    assert.equal(decodeText(Buffer.from('Grüße\r\nline', 'utf8'), undefined), 'Grüße\nline');
    assert.equal(decodeText(Buffer.from([0x56, 0x6f, 0x69, 0x6c, 0xe0]), undefined), 'Voilà');
    assert.equal(decodeText(Buffer.from([0xe0]), 'latin-1'), 'à');
    assert.equal(decodeText(Buffer.from([0xe0]), 'iso8859_1'), 'à');
    assert.equal(decodeText(Buffer.from('x'), 'x-unknown'), null);
  });

  it('refuses message text in an unknown charset, but keeps an attachment in one as bytes', async () => {
    await assert.rejects(
      extract(`${HEAD}Content-Type: text/plain; charset="x-klingon"

qapla'
`),
      (err: unknown) => err instanceof MailUsageError && err.message.includes('"x-klingon"') && /does not know/.test(err.message),
    );
    const { content, files } = await extract(`${HEAD}Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain

text
--B
Content-Type: text/plain; charset="x-klingon"
Content-Disposition: attachment; filename="k.txt"

\xff\xfe
--B--
`.replace('\xff\xfe', 'raw'));
    assert.equal(content, 'text');
    assert.deepEqual(files, [{ name: 'k.txt', type: 'text/plain', content: 'raw' }]);
  });

  it('gives no text for a multipart whose boundary never appears', async () => {
    const { content, files } = await extract(`${HEAD}Content-Type: multipart/mixed; boundary="NOWHERE"

just text
`);
    assert.equal(content, null);
    assert.deepEqual(files, []);
  });

  it('converts HTML to text with mailparser, dropping scripts and styles', async () => {
    assert.equal(await htmlToText('<style>p{x:y}</style><p>One</p><script>bad()</script><p>Two &lt;3</p>'), 'One\n\nTwo <3');
  });
});
