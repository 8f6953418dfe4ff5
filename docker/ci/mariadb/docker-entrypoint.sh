#!/bin/sh
# Entrypoint of the CI MariaDB image (Debian's mariadb-server), after the official image's:
#   * arguments starting with `-` are options of mariadbd;
#   * on the first start (no system tables in /var/lib/mysql) it creates them, then, with a
#     server that listens on a private socket only, sets the root password (root@localhost
#     and root@'%'), creates MARIADB_DATABASE and MARIADB_USER@'%' with MARIADB_PASSWORD
#     and all rights on that database; then it starts the real server with the options.
# Later starts (docker restart, a kept volume) go straight to the server.
# Needs MARIADB_ROOT_PASSWORD (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1) on the first start.
set -eu

DATADIR=/var/lib/mysql
INIT_SOCKET=/run/mysqld/init.sock

say() { printf '%s [entrypoint] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# A string for a single-quoted SQL literal; an identifier for backquotes.
sql_str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }
# shellcheck disable=SC2016  # backquotes, not an expansion
sql_id() { printf '%s' "$1" | sed -e 's/`/``/g'; }

initialise() {
    root_pw="${MARIADB_ROOT_PASSWORD:-}"
    if [ -z "$root_pw" ] && [ "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" != 1 ]; then
        die "database is uninitialised and MARIADB_ROOT_PASSWORD is not set (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1)"
    fi
    if [ -n "${MARIADB_USER:-}" ] && [ -z "${MARIADB_PASSWORD:-}" ]; then
        die "MARIADB_USER is set but MARIADB_PASSWORD is not"
    fi
    say "initialising $DATADIR"
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve --skip-log-bin >/dev/null

    # The server with the given options, on a socket only (healthchecks see nothing yet).
    "$@" --skip-networking --socket="$INIT_SOCKET" &
    pid=$!
    i=0
    until mariadb-admin --socket="$INIT_SOCKET" -uroot --silent ping >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || die "the server stopped while initialising"
        i=$((i + 1))
        [ "$i" -lt 120 ] || die "the server did not start within 60 s while initialising"
        sleep 0.5
    done

    {
        echo "SET @@SESSION.SQL_LOG_BIN = 0;"
        # Anonymous users and root@<container id> (mariadb-install-db makes them; with
        # skip-name-resolve the server warns about the latter at every start).
        echo "DELETE FROM mysql.global_priv WHERE User = '';"
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';"
        echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@''', @@hostname, '''');"
        echo "DROP DATABASE IF EXISTS test;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_str "$root_pw")';"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_str "$root_pw")';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$(sql_id "$MARIADB_DATABASE")\`;"
        fi
        if [ -n "${MARIADB_USER:-}" ]; then
            echo "CREATE USER '$(sql_str "$MARIADB_USER")'@'%' IDENTIFIED BY '$(sql_str "$MARIADB_PASSWORD")';"
            if [ -n "${MARIADB_DATABASE:-}" ]; then
                echo "GRANT ALL ON \`$(sql_id "$MARIADB_DATABASE")\`.* TO '$(sql_str "$MARIADB_USER")'@'%';"
            fi
        fi
        echo "FLUSH PRIVILEGES;"
    } | mariadb --socket="$INIT_SOCKET" -uroot --batch || die "setting up users and database failed"

    kill -TERM "$pid"
    wait "$pid" || die "the initialising server did not stop cleanly"
    say "initialised: database '${MARIADB_DATABASE:-}', user '${MARIADB_USER:-}'"
}

case "$1" in -*) set -- mariadbd "$@" ;; esac

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
    if [ ! -d "$DATADIR/mysql" ]; then
        initialise "$@"
    fi
fi
exec "$@"
