import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import { examineUrl, pyQuote } from '../../../lib/web/actions/url-tools.js';

const BASE = 'http://tracker.example/cgi-bin/roundup.cgi/bugs/';
const TREE = 'http://tracker.example/cgi-bin/roundup.cgi/bugs/user3;parm=bar?@template=foo&parm=(zot)#issue';

function refused(url: string, message: string, base = BASE): void {
  assert.throws(() => examineUrl(url, base), (err) => isRupError(err, 'RUP_ERR_VALUE') && err.message === message);
}

describe('web redirect URL checks (Roundup testexamine_url)', () => {
  it('accepts a URL using every part, and https under an http tracker', () => {
    assert.equal(examineUrl(TREE, BASE), TREE);
    assert.equal(examineUrl(TREE.replace('http:', 'https:'), BASE), TREE.replace('http:', 'https:'));
    assert.equal(examineUrl('http://tracker.example/cgi-bin/roundup.cgi/bugs/zoik7;parm=bar?@template=foo&parm=(zot)#issue', BASE), 'http://tracker.example/cgi-bin/roundup.cgi/bugs/zoik7;parm=bar?@template=foo&parm=(zot)#issue');
  });

  it('never goes from an https tracker to http', () => {
    refused(TREE, `Base url https://tracker.example/cgi-bin/roundup.cgi/bugs/ requires https. Redirect url ${TREE} uses http.`, BASE.replace('http:', 'https:'));
  });

  it('refuses other schemes and relative URLs', () => {
    refused(TREE.replace('http:', 'email:'), `Unrecognized scheme in ${TREE.replace('http:', 'email:')}`);
    refused(TREE.replace('http:', 'http%3a'), `Unrecognized scheme in ${TREE.replace('http:', 'http%3a')}`);
    refused('/cgi-bin/roundup.cgi/bugs/issue1', 'Unrecognized scheme in /cgi-bin/roundup.cgi/bugs/issue1');
    refused('//evil.example/cgi-bin/roundup.cgi/bugs/', 'Unrecognized scheme in //evil.example/cgi-bin/roundup.cgi/bugs/');
  });

  it('refuses other hosts, ports and user names', () => {
    for (const netloc of ['tracker.example:1025', 'user@tracker.example', 'user:pass@tracker.example', 'bad.guys.are.us']) {
      const url = TREE.replace('tracker.example', netloc);
      refused(url, `Net location in ${url} does not match base: tracker.example`);
    }
    refused('http://localhost/cgi-bin/roundup.cgi/bugs/user3', 'Net location in http://localhost/cgi-bin/roundup.cgi/bugs/user3 does not match base: tracker.example');
  });

  it('refuses paths outside the tracker', () => {
    for (const path of ['/cgi-bin/roundup.cgi/bug/', '/cgibin/roundup.cgi/bug/']) {
      const url = TREE.replace('/cgi-bin/roundup.cgi/bugs/', path);
      refused(url, `Base path /cgi-bin/roundup.cgi/bugs/ is not a prefix for url ${url}`);
    }
  });

  it('refuses unescaped characters in each part', () => {
    let url = TREE.replace('bugs/user3', 'bugs/<user3');
    refused(url, `Path component (/cgi-bin/roundup.cgi/bugs/<user3) in ${url} is not properly escaped`);
    url = TREE.replace('parm=bar', 'parm=b<ar');
    refused(url, `Params component (parm=b<ar) in ${url} is not properly escaped`);
    url = TREE.replace('@template=foo', '@template=<foo>');
    refused(url, `Query component (@template=<foo>&parm=(zot)) in ${url} is not properly escaped`);
    url = TREE.replace('#issue', '#iss<ue');
    refused(url, `Fragment component (iss<ue) in ${url} is not properly escaped`);
  });
});

describe('web URL quoting (Python urllib.parse.quote)', () => {
  it('keeps letters, digits, _.-~ and / and escapes everything else as UTF-8', () => {
    assert.equal(pyQuote('issue 1 title, status edited ok'), 'issue%201%20title%2C%20status%20edited%20ok');
    assert.equal(pyQuote("a/b_c.d-e~f!'()*"), "a/b_c.d-e~f%21%27%28%29%2A");
    assert.equal(pyQuote('line\nbreak'), 'line%0Abreak');
    assert.equal(pyQuote('äö'), '%C3%A4%C3%B6');
    assert.equal(pyQuote('a,b', '/,'), 'a,b');
  });
});
