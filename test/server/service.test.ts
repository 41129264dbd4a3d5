import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_BIN, removeAll, runServerCommand, scratchDir } from './server-process.js';

describe('roundup-server -c: service control (systemd here, WinSW on Windows)', function () {
  this.timeout(60000);
  let scratch: string;
  let ini: string;
  let systemctl: string;
  let calls: string;

  before(function () {
    scratch = scratchDir('rup-service-');
    ini = join(scratch, 'roundup-server.ini');
    writeFileSync(ini, `[main]\nport = 8917\nuser = nobody\nlogfile = roundup.log\n[trackers]\nsupport = /srv/trackers/support\n`);
    // A stand-in for systemctl that records its arguments: the real one needs a running systemd.
    calls = join(scratch, 'systemctl-calls');
    systemctl = join(scratch, 'systemctl');
    writeFileSync(systemctl, `#!/bin/sh\necho "$@" >> ${calls}\n`);
    chmodSync(systemctl, 0o755);
  });
  after(function () {
    removeAll(scratch);
  });

  const unitDir = () => join(scratch, 'units');
  const env = () => ({ ROUNDUP_SYSTEMD_DIR: unitDir(), ROUNDUP_SYSTEMCTL: systemctl, ROUNDUP_SERVICE_PLATFORM: 'linux' });

  it('install --dry-run prints the systemd unit and the systemctl commands, and changes nothing', async function () {
    const end = await runServerCommand(['-C', ini, '-c', 'install', '--dry-run'], { env: env() });
    assert.equal(end.code, 0, end.stderr);
    const unit = join(unitDir(), 'roundup-server.service');
    assert.ok(end.stdout.startsWith(`Dry run: roundup-server -c install would\nwrite ${unit}:\n[Unit]\nDescription=Roundup Bug Tracker (roundup-server)\n`));
    assert.ok(end.stdout.includes(`ExecStart=${process.execPath} ${SERVER_BIN} -C ${ini} --nodaemon=yes\n`));
    assert.ok(end.stdout.includes('ExecReload=/bin/kill -HUP $MAINPID\n'));
    assert.ok(end.stdout.endsWith(`run: ${systemctl} daemon-reload\nrun: ${systemctl} enable roundup-server.service\n`));
    assert.ok(!existsSync(unit));
    assert.ok(!existsSync(calls));
  });

  it('install writes the unit and enables it; start, stop and remove run systemctl; remove deletes the unit', async function () {
    const install = await runServerCommand(['-C', ini, '-c', 'install'], { env: env() });
    assert.equal(install.code, 0, install.stderr);
    const unit = readFileSync(join(unitDir(), 'roundup-server.service'), 'utf8');
    assert.match(unit, /^\[Service\]\nType=simple\n/m);
    assert.match(unit, /^WantedBy=multi-user\.target$/m);
    for (const command of ['start', 'stop', 'remove']) {
      const end = await runServerCommand(['-C', ini, '-c', command], { env: env() });
      assert.equal(end.code, 0, end.stderr);
    }
    assert.equal(
      readFileSync(calls, 'utf8'),
      'daemon-reload\nenable roundup-server.service\nstart roundup-server.service\nstop roundup-server.service\ndisable roundup-server.service\ndaemon-reload\n',
    );
    assert.ok(!existsSync(join(unitDir(), 'roundup-server.service')));
  });

  it('on Windows: a WinSW service definition and its commands (dry run)', async function () {
    const end = await runServerCommand(['-C', ini, '-c', 'install', '--dry-run'], { env: { ROUNDUP_SERVICE_PLATFORM: 'win32' } });
    assert.equal(end.code, 0, end.stderr);
    assert.ok(end.stdout.includes('<id>roundup</id>\n  <name>Roundup Bug Tracker</name>\n'));
    assert.ok(end.stdout.includes(`<arguments>&quot;${SERVER_BIN}&quot; &quot;-C&quot; &quot;${ini}&quot; &quot;--nodaemon=yes&quot;</arguments>`));
    assert.match(end.stdout, /\nrun: \S*roundup-server-service\.exe install\n$/);
    const remove = await runServerCommand(['-C', ini, '-c', 'remove', '--dry-run'], { env: { ROUNDUP_SERVICE_PLATFORM: 'win32' } });
    assert.match(remove.stdout, /run: \S*roundup-server-service\.exe uninstall\nremove \S*roundup-server-service\.xml\n$/);
  });

  it('refuses without -C, without trackers, or on Windows without a logfile; rejects unknown commands', async function () {
    const noConfig = await runServerCommand(['-c', 'install', '--dry-run', 'support=/srv/x'], { env: env() });
    assert.equal(noConfig.code, 1);
    assert.equal(noConfig.stderr, 'Error: the service runs with a configuration file: give it with -C (the trackers must be listed in it).\n');
    const empty = join(scratch, 'empty.ini');
    writeFileSync(empty, '[main]\nport = 8080\n');
    const noTrackers = await runServerCommand(['-C', empty, '-c', 'install', '--dry-run'], { env: env() });
    assert.equal(noTrackers.code, 1);
    assert.equal(noTrackers.stderr, `Error: ${empty} has no [trackers]: a service takes its trackers from the configuration file.\n`);
    const noLog = join(scratch, 'nolog.ini');
    writeFileSync(noLog, '[trackers]\nsupport = /srv/x\n');
    const windows = await runServerCommand(['-C', noLog, '-c', 'install', '--dry-run'], { env: { ROUNDUP_SERVICE_PLATFORM: 'win32' } });
    assert.equal(windows.code, 1);
    assert.equal(windows.stderr, `Error: a Windows service needs a logfile: set [main] logfile in ${noLog}.\n`);
    const unknown = await runServerCommand(['-C', ini, '-c', 'restart'], { env: env() });
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'Unknown service command "restart": use install, start, stop, remove or help.\n');
    const help = await runServerCommand(['-c', 'help'], { env: env() });
    assert.equal(help.code, 0);
    assert.ok(help.stdout.startsWith('Service control: roundup-server -C <config file> -c <command>\n'));
  });
});
