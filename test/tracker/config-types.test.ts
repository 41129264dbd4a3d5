import assert from 'node:assert/strict';
import {
  OptionValueProblem,
  booleanType,
  choiceType,
  integerType,
  loggingFormatType,
  mailAddressType,
  multiFilePathType,
  octalType,
  originListType,
  pythonRegExp,
  redisUrlType,
  timezoneType,
  webUrlType,
  wordListType,
  type OptionType,
} from '../../lib/tracker/config-types.js';

const ctx = { home: '/trackers/t' };

function parse<T>(type: OptionType<T>, text: string): { value: T; text: string } {
  return type.parse(text, ctx);
}

function rejects(type: OptionType, text: string, message: string): void {
  assert.throws(() => type.parse(text, ctx), (err: unknown) => err instanceof OptionValueProblem && err.message === message);
}

describe('tracker/config-types', () => {
  it('reads booleans as Roundup does: yes/true/on/1 and no/false/off/0 in any case', () => {
    for (const word of ['yes', 'TRUE', 'On', '1']) assert.deepEqual(parse(booleanType, word), { value: true, text: 'yes' });
    for (const word of ['no', 'False', 'OFF', '0']) assert.deepEqual(parse(booleanType, word), { value: false, text: 'no' });
    rejects(booleanType, '2', '"2" is not a valid boolean (yes/no)');
    rejects(booleanType, '', '"" is not a valid boolean (yes/no)');
  });

  it('reads integers exactly, refusing negatives where zero is the minimum', () => {
    assert.deepEqual(parse(integerType(), '-5'), { value: -5, text: '-5' });
    assert.deepEqual(parse(integerType({ min: 0 }), '+007'), { value: 7, text: '7' });
    assert.equal(parse(integerType(), '9223372036854775807').text, '9223372036854775807');
    rejects(integerType(), '1.5', '"1.5" is not an integer');
    rejects(integerType({ min: 0 }), '-1', '"-1" must be an integer greater than or equal to zero');
    rejects(integerType({ min: 1000 }), '999', '"999" must be an integer of at least 1000');
  });

  it('reads octal numbers with or without the 0o prefix and writes them as Python oct() does', () => {
    assert.deepEqual(parse(octalType, '0o002'), { value: 2, text: '0o2' });
    assert.deepEqual(parse(octalType, '022'), { value: 0o22, text: '0o22' });
    assert.deepEqual(parse(octalType, '7'), { value: 7, text: '0o7' });
    rejects(octalType, '8', '"8" is not an octal integer');
  });

  it('reads choices case-insensitively and returns the listed spelling', () => {
    const samesite = choiceType(['Strict', 'Lax', 'None']);
    assert.deepEqual(parse(samesite, 'strict'), { value: 'Strict', text: 'Strict' });
    assert.equal(samesite.classDescription, 'Allowed values: Strict, Lax, None');
    rejects(samesite, 'lx', '"lx" is not allowed (allowed values: Strict, Lax, None)');
  });

  it('splits word lists at commas, dropping empty words', () => {
    assert.deepEqual(parse(wordListType, 'A, AND,,THE'), { value: ['A', 'AND', 'THE'], text: 'A,AND,THE' });
    assert.deepEqual(parse(wordListType, ''), { value: [], text: '' });
  });

  it('joins relative static file paths to the home and keeps the "-" stop marker', () => {
    const parsed = parse(multiFilePathType, 'static  /abs -');
    const resolve = multiFilePathType.resolve as (v: string[], c: unknown) => unknown;
    assert.deepEqual(resolve(parsed.value, { ...ctx, mailDomain: undefined }), ['/trackers/t/static', '/abs', '-']);
    assert.equal(resolve(parse(multiFilePathType, '').value, { ...ctx, mailDomain: undefined }), null);
  });

  it('appends the mail domain only to addresses without one', () => {
    const resolve = mailAddressType.resolve as (v: string, c: unknown) => unknown;
    assert.equal(resolve('admin', { ...ctx, mailDomain: 'example.com' }), 'admin@example.com');
    assert.equal(resolve('a@b.org', { ...ctx, mailDomain: 'example.com' }), 'a@b.org');
  });

  it('names each fault of a tracker URL', () => {
    rejects(webUrlType, 'https://t.example', '"https://t.example" must end with /');
    rejects(webUrlType, 'htt://t.example/', '"htt://t.example/" must start with http:// or https://');
    rejects(webUrlType, '', 'value must not be empty');
    assert.equal(parse(webUrlType, 'http://t.example/x/').value, 'http://t.example/x/');
  });

  it('accepts whole-hour offsets and time zone names Intl knows', () => {
    for (const tz of ['0', '-5', '+10', 'UTC', 'EST', 'America/New_York']) assert.equal(parse(timezoneType, tz).value, tz);
    rejects(timezoneType, 'Zot', '"Zot" is not a time zone name or a numeric hour offset');
    rejects(timezoneType, '1.5', '"1.5" is not a time zone name or a numeric hour offset');
  });

  it('translates Python regular expression syntax', () => {
    const re = pythonRegExp('(?P<word>\\w+) (?P=word)');
    assert.equal(re.source, '(?<word>\\w+) \\k<word>');
    assert.equal(re.test('hey hey'), true);
    const flagged = pythonRegExp('(?im)^re:');
    assert.equal(flagged.flags, 'im');
    assert.equal(flagged.test('x\nRE: y'), true);
    assert.throws(() => pythonRegExp('(?x) a b'), /inline flag \(\?x\) is not supported/u);
  });

  it("allows '*' only first among the API origins", () => {
    assert.deepEqual(parse(originListType, '* https://a.example HTTP://B.example').value, [
      '*',
      'https://a.example',
      'HTTP://B.example',
    ]);
    rejects(originListType, 'https://a.example *', "\"https://a.example *\": the '*' origin must be the first in the list");
  });

  it('checks that every %(name) in a logging format has a conversion', () => {
    assert.equal(parse(loggingFormatType, '%(asctime)s %(levelno)5d %(msg)-10.3s').value, '%(asctime)s %(levelno)5d %(msg)-10.3s');
    rejects(loggingFormatType, '%(asctime)s %(levelname) %(message)s', 'unrecognized use of %(...) in: "%(levelname)"');
  });

  it('refuses decode_responses in the redis URL', () => {
    assert.equal(parse(redisUrlType, 'rediss://:pw@host:6380/2').value, 'rediss://:pw@host:6380/2');
    rejects(
      redisUrlType,
      'redis://h/0?decode_responses=True',
      '"redis://h/0?decode_responses=True": the decode_responses parameter is not allowed',
    );
  });
});
