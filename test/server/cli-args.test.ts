import assert from 'node:assert/strict';
import { UsageError, parseServerArgs } from '../../lib/server/cli-args.js';

describe('server/cli-args: roundup-server\'s command line', function () {
  it('reads short options, attached or separate values, bundled flags and name=home pairs', function () {
    const args = parseServerArgs(['-p8917', '-n', '0.0.0.0', '-DN', '-t', 'debug', 'support=/srv/support', '-l', 'x.log', 'Sales=/srv/sales']);
    assert.deepEqual(args.options, [
      { name: 'port', value: '8917' },
      { name: 'host', value: '0.0.0.0' },
      { name: 'nodaemon', value: 'yes' },
      { name: 'log_hostnames', value: 'yes' },
      { name: 'multiprocess', value: 'debug' },
      { name: 'logfile', value: 'x.log' },
    ]);
    assert.deepEqual(args.trackers, [
      { name: 'support', home: '/srv/support' },
      { name: 'Sales', home: '/srv/sales' },
    ]);
  });

  it('maps every short option to its [main] option', function () {
    const args = parseServerArgs(['-u', 'roundup', '-g', 'www', '-m', '4', '-L', '-P', '-d', 'p.pid', '-i', 'i.html', '-s', '-e', 'k.pem', '-I', 'REMOTE_USER,X-Proxy-User', '-V', 'HTTP/1.0']);
    assert.deepEqual(
      args.options.map((o) => `${o.name}=${o.value}`),
      ['user=roundup', 'group=www', 'max_children=4', 'loghttpvialogger=yes', 'log_proxy_header=yes', 'pidfile=p.pid', 'template=i.html', 'ssl=yes', 'pem=k.pem', 'include_headers=REMOTE_USER,X-Proxy-User', 'http_version=HTTP/1.0'],
    );
  });

  it('reads long options: --name=value for any [main] option, --config, --save-config, --help, --version', function () {
    const args = parseServerArgs(['--port=9000', '--max_children', '3', '--log-hostnames', '--config=s.ini', '--save-config', '--help', '--version']);
    assert.deepEqual(args.options, [
      { name: 'port', value: '9000' },
      { name: 'max_children', value: '3' },
      { name: 'log_hostnames', value: 'yes' },
    ]);
    assert.equal(args.configFile, 's.ini');
    assert.ok(args.saveConfig && args.help && args.version);
  });

  it('reads -C, -S, -h, -v and -c with --dry-run', function () {
    const args = parseServerArgs(['-C', 'a.ini', '-S', '-hv', '-c', 'install', '--dry-run']);
    assert.equal(args.configFile, 'a.ini');
    assert.equal(args.service, 'install');
    assert.ok(args.saveConfig && args.help && args.version && args.dryRun);
  });

  it('refuses unknown options, missing values and malformed name=home pairs', function () {
    assert.throws(() => parseServerArgs(['-x']), (err: unknown) => err instanceof UsageError && err.message === 'option -x not recognized');
    assert.throws(() => parseServerArgs(['--nosuch=1']), /option --nosuch not recognized/);
    assert.throws(() => parseServerArgs(['-p']), /option -p requires argument/);
    assert.throws(() => parseServerArgs(['--help=yes']), /option --help must not have an argument/);
    assert.throws(() => parseServerArgs(['support']), /Instances must be name=home \(got "support"\)/);
    assert.throws(() => parseServerArgs(['a=b=c']), /Instances must be name=home/);
    assert.throws(() => parseServerArgs(['name=']), /Instances must be name=home/);
  });
});
