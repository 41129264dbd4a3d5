#!/bin/sh
# roundup.cgi: the trackers of rup-tracker as a CGI program (Roundup's
# frontends/roundup.cgi). Copy or link it into the web server's cgi-bin, or
# point a ScriptAlias at it; frontends/README.md shows Apache and lighttpd.
#
# Environment (Apache: SetEnv; lighttpd: setenv.add-environment):
#   TRACKER_HOMES  name=home pairs separated by ":", e.g.
#                  support=/srv/trackers/support:dev=/srv/trackers/dev
#   ROUNDUP_LOG    file the errors are appended to (default: the web
#                  server's error log, through standard error)
#   NODE           the node program, when the web server's PATH does not
#                  lead to it (lighttpd gives CGI programs no PATH at all)
#   RUP_PACKAGE    the rup-tracker package directory, when this script is
#                  a copy outside it (a symbolic link finds it by itself)
#
# A web server shows "premature end of script headers" when a CGI program
# writes nothing; every failure here answers with a page saying what is
# wrong instead.

fail() {
    printf 'roundup.cgi: %s\n' "$1" >&2
    printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nroundup.cgi: %s\n' "$1"
    exit 0
}

self=$(readlink -f -- "$0" 2>/dev/null) || self=$0
package=${RUP_PACKAGE:-$(CDPATH= cd -- "$(dirname -- "$self")/.." 2>/dev/null && pwd)}
program="$package/dist/lib/frontends/cgi-entry.js"
[ -r "$program" ] || fail "cannot read $program: set RUP_PACKAGE to the rup-tracker package directory, and build it (npm run build)"

node=${NODE:-}
if [ -z "$node" ]; then
    node=$(command -v node 2>/dev/null)
fi
if [ -z "$node" ]; then
    for candidate in /usr/local/bin/node /usr/bin/node /opt/homebrew/bin/node /snap/bin/node; do
        if [ -x "$candidate" ]; then
            node=$candidate
            break
        fi
    done
fi
[ -n "$node" ] && [ -x "$node" ] || fail "cannot find the node program: set NODE to its path (for Apache: SetEnv NODE /usr/bin/node)"

exec "$node" "$program"
