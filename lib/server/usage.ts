import { DEFAULT_PORT, MULTIPROCESS_TYPES } from './server-options.js';

/** roundup-server's help text (`-h`, and below a usage error), in the layout of Roundup's. */
export function usageText(message = ''): string {
  return `${message ? `${message}\n` : ''}Usage: roundup-server [options] [name=tracker home]*

Options:
 -v            print the Roundup version number and exit
 -h            print this text and exit
 -S            create or update configuration file and exit
 -C <fname>    use configuration file <fname>
 -n <name>     set the host name or IP address of the Roundup web server
               instance (default: localhost; 0.0.0.0 listens on all
               network interfaces)
 -p <port>     set the port to listen on (default: ${DEFAULT_PORT})
 -l <fname>    log to the file indicated by fname instead of stderr/stdout
 -N            log client machine names instead of IP addresses (much slower)
 -L            log HTTP requests through the logger roundup.http
 -P            log the first X-Forwarded-For address, marked with "+"
               (use only when all clients come through trusted proxies)
 -i <fname>    set tracker index template (Nunjucks)
 -I <header1[,header2,...]>
               copy these request headers into the environment of the
               trackers (e.g. REMOTE_USER from an authenticating proxy)
 -s            enable SSL
 -e <fname>    PEM file containing SSL key and certificate
 -t <mode>     multiprocess mode (default: fork).
               Allowed values: ${MULTIPROCESS_TYPES.join(', ')}.
 -m <children> maximum number of worker processes in fork mode (default: 40)
 -V <version>  HTTP/1.1 (default) or HTTP/1.0 (no keep-alive)
 -u <UID>      runs the Roundup web server as this UID
 -g <GID>      runs the Roundup web server as this GID
 -d <PIDfile>  run the server in the background and write the server's PID
               to the file indicated by PIDfile. The -l or -L option *must*
               be specified if -d is used.
 -D            stay in the foreground even with -d (the PID is still written)
 -c <command>  service control: install, start, stop, remove or help.
               On Windows a Windows service, elsewhere a systemd unit;
               the tracker homes must come from a -C configuration file.
               With --dry-run, print the commands and files instead.

Long options:
 --version          print the Roundup version number and exit
 --help             print this text and exit
 --save-config      create or update configuration file and exit
 --config <fname>   use configuration file <fname>
 --dry-run          with -c, show what would be done
 --base_path=<path> serve the trackers under this URL path (default /), for
                    a reverse proxy that forwards e.g. /roundup/ unchanged
 --trusted_proxies=<addresses>
                    honour X-Forwarded-For/-Proto/-Host only from these
                    addresses or networks (e.g. 127.0.0.1,10.0.0.0/8)
 All settings of the [main] section of the configuration file
 also may be specified in form --<name>=<value>

Examples:

 roundup-server -S -C /opt/roundup/etc/roundup-server.ini \\
    -n localhost -p 8917 -l /var/log/roundup.log \\
    support=/var/spool/roundup-trackers/support

 roundup-server -C /opt/roundup/etc/roundup-server.ini

 roundup-server support=/var/spool/roundup-trackers/support

 roundup-server -d /var/run/roundup.pid -l /var/log/roundup.log \\
    support=/var/spool/roundup-trackers/support

Configuration file format:
   An INI file with a [main] section (the options above, by their long
   names) and a [trackers] section of "name = home" lines. The file that
   'roundup-server -S' writes describes every option in a comment.

How to use "name=tracker home":
   Each pair serves the tracker installed in "home" (the directory given
   to "roundup-admin install") under the URL path /name/. Give as many
   pairs as you like. Keep names to letters, digits, "-" and "_": they
   are part of URLs and cookie paths.
`;
}
