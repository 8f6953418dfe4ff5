#!/usr/bin/env bash
# Make sure MariaDB (127.0.0.1:3306, root without password over TCP) and Redis
# (127.0.0.1:6379) run on this machine, for local development and the test suites.
#
# Idempotent: safe to run again and again. Never stops, restarts, reconfigures or
# flushes a service that already runs; it only installs what is missing (Debian 12,
# apt-get) and starts what does not answer, without systemd (works in containers/CI).
#
# Prints one line per step: packages, mariadb, redis. Exit status 0 = both usable.
#
# Env: CHECKIN_DB_NAME (default checkin) = database created if missing, matching
#      DATABASE_URL=mysql://root@127.0.0.1:3306/checkin in .env.example; empty = skip.
set -euo pipefail

export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"

DB_HOST=127.0.0.1
DB_PORT=3306
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
DB_NAME="${CHECKIN_DB_NAME-checkin}"
DB_WAIT_SECS=60
REDIS_WAIT_SECS=30

say() { printf '%s\n' "$*"; }
die() { printf 'ensure-services: ERROR: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# Root for apt-get, start-stop-daemon and the unix_socket login of MariaDB's root.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if have sudo; then SUDO=(sudo); else
        say "ensure-services: not root and no sudo; installing/starting will fail if needed" >&2
    fi
fi
# 9>&- : daemons started from here must not inherit the flock descriptor below,
# or they would hold the lock forever and the next run would wait for it.
as_root() { "${SUDO[@]}" "$@" 9>&-; }

# Serialise concurrent runs (two test suites starting at once).
if have flock; then
    exec 9>"${TMPDIR:-/tmp}/checkin-ensure-services.lock"
    flock -w 900 9 || die "could not take ${TMPDIR:-/tmp}/checkin-ensure-services.lock"
fi

# Something accepts TCP connections on host:port (bash /dev/tcp, no extra tools).
# shellcheck disable=SC2016  # $1/$2 expand in the inner bash, on purpose
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1; }

# ------------------------------------------------------------------ packages
mariadbd_bin() { command -v mariadbd || command -v mysqld || true; }
mariadb_cli() { command -v mariadb || command -v mysql || true; }

pkgs=()
if [ -z "$(mariadbd_bin)" ]; then pkgs+=(mariadb-server)
elif [ -z "$(mariadb_cli)" ]; then pkgs+=(mariadb-client)
fi
if ! have redis-server; then pkgs+=(redis-server)
elif ! have redis-cli; then pkgs+=(redis-tools)
fi
if ! have cc; then pkgs+=(build-essential pkg-config); fi
if ! have curl; then pkgs+=(curl); fi
# libfaketime: the fault tests run one worker with a clock minutes off.
if ! ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1; then pkgs+=(faketime); fi

if [ "${#pkgs[@]}" -eq 0 ]; then
    say "packages: mariadb, redis, cc and curl already installed"
else
    have apt-get || die "missing ${pkgs[*]} and no apt-get to install them (Debian 12 expected)"
    # Only the missing packages are named, so apt never upgrades (and restarts) a
    # server that is already installed. A failing `update` (one unreachable extra
    # source) is not fatal: the install below reports what really matters.
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 >/dev/null; then
        say "packages: warning: apt-get update failed, trying with the cached package lists" >&2
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
        "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
    say "packages: installed ${pkgs[*]}"
fi

MARIADBD="$(mariadbd_bin)"; MARIADB="$(mariadb_cli)"
[ -n "$MARIADBD" ] || die "mariadbd/mysqld still not found after install"
[ -n "$MARIADB" ] || die "mariadb/mysql client still not found after install"
have redis-server || die "redis-server still not found after install"
have redis-cli || die "redis-cli still not found after install"
MARIADBD="$(readlink -f "$MARIADBD")"   # start-stop-daemon --exec wants the real path

# ------------------------------------------------------------------ mariadb
db_tcp_ok() {
    "$MARIADB" --protocol=TCP -h"$DB_HOST" -P"$DB_PORT" -uroot --connect-timeout=3 \
        -e 'SELECT 1' >/dev/null 2>&1
}
db_socket_ok() { as_root "$MARIADB" --protocol=SOCKET -uroot --connect-timeout=3 -e 'SELECT 1' >/dev/null 2>&1; }
db_socket() { as_root "$MARIADB" --protocol=SOCKET -uroot --connect-timeout=5 "$@"; }
db_tcp() { "$MARIADB" --protocol=TCP -h"$DB_HOST" -P"$DB_PORT" -uroot --connect-timeout=5 "$@"; }

db_done=()
if tcp_open "$DB_HOST" "$DB_PORT"; then
    db_done+=("already running on $DB_HOST:$DB_PORT")
else
    # Not answering: start it ourselves (no systemd needed). --oknodo: if a mariadbd
    # process already exists (e.g. still starting up) nothing is started twice.
    defaults="$(my_print_defaults --mysqld 2>/dev/null || true)"
    datadir="$(printf '%s\n' "$defaults" | sed -n 's/^--datadir=//p' | tail -n 1)"
    datadir="${datadir:-/var/lib/mysql}"
    id mysql >/dev/null 2>&1 || die "user mysql does not exist (is mariadb-server installed?)"
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld
    if [ ! -d "$datadir/mysql" ]; then
        # The Debian package initialises the datadir; this only repairs a machine where it was removed.
        as_root mariadb-install-db --user=mysql --datadir="$datadir" >/dev/null \
            || die "mariadb-install-db --datadir=$datadir failed"
        db_done+=("initialised $datadir")
    fi
    extra=(--user=mysql)
    if ! printf '%s\n' "$defaults" | grep -q '^--log-error='; then
        as_root mkdir -p /var/log/mysql
        as_root chown mysql:mysql /var/log/mysql
        extra+=(--log-error=/var/log/mysql/error.log)
    fi
    as_root start-stop-daemon --start --oknodo --quiet --background \
        --exec "$MARIADBD" -- "${extra[@]}" || die "start-stop-daemon could not start $MARIADBD"
    db_done+=("started $MARIADBD")
fi

# Wait until the server accepts logins (over TCP, or over the socket while root is
# still unix_socket-only on a fresh install).
deadline=$((SECONDS + DB_WAIT_SECS))
until tcp_open "$DB_HOST" "$DB_PORT" && { db_tcp_ok || db_socket_ok; }; do
    [ "$SECONDS" -lt "$deadline" ] || die "MariaDB did not accept logins on $DB_HOST:$DB_PORT within ${DB_WAIT_SECS}s (see /var/log/mysql/error.log)"
    sleep 1
done

if db_tcp_ok; then
    db_done+=("root over TCP without password works")
elif db_socket_ok; then
    # Fresh Debian: root@localhost is unix_socket (+ an invalid password). Keep socket
    # login and add an empty mysql_native_password, so the local DATABASE_URL
    # mysql://root@127.0.0.1:3306/... works. MariaDB >= 10.4 syntax.
    db_socket -e "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket; FLUSH PRIVILEGES" \
        || die "could not enable password-less TCP login for root@localhost"
    db_done+=("enabled password-less TCP login for root@localhost")
    if ! db_tcp_ok; then
        # With skip-name-resolve, 127.0.0.1 does not match 'localhost': add root@127.0.0.1.
        db_socket -e "CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES" \
            || die "could not create root@127.0.0.1"
        db_done+=("created root@127.0.0.1")
    fi
    db_tcp_ok || die "root still cannot log in over TCP on $DB_HOST:$DB_PORT"
else
    die "MariaDB answers on $DB_HOST:$DB_PORT but root can log in neither over TCP without password nor over the unix socket; fix root's authentication by hand"
fi

if [ -n "$DB_NAME" ]; then
    exists="$(db_tcp -N -B -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='${DB_NAME}'")" \
        || die "could not query information_schema"
    if [ "$exists" = "0" ]; then
        db_tcp -e "CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" \
            || die "could not create database ${DB_NAME}"
        db_done+=("created database ${DB_NAME}")
    else
        db_done+=("database ${DB_NAME} exists")
    fi
fi
version="$(db_tcp -N -B -e 'SELECT VERSION()' 2>/dev/null || echo '?')"
say "mariadb: $(IFS=';'; printf '%s' "${db_done[*]}" | sed 's/;/; /g') (version ${version})"

# ------------------------------------------------------------------ redis
redis_ping() { [ "$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

if redis_ping; then
    redis_done="already running on $REDIS_HOST:$REDIS_PORT"
else
    if tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
        die "something listens on $REDIS_HOST:$REDIS_PORT but does not answer PING with PONG (password? not Redis?); not touching it"
    fi
    # Local dev/test Redis: loopback only (IPv6 optional), no persistence.
    (cd / && as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
        --save "" --appendonly no >/dev/null) || die "redis-server failed to start"
    deadline=$((SECONDS + REDIS_WAIT_SECS))
    until redis_ping; do
        [ "$SECONDS" -lt "$deadline" ] || die "Redis did not answer PING on $REDIS_HOST:$REDIS_PORT within ${REDIS_WAIT_SECS}s"
        sleep 0.5
    done
    redis_done="started redis-server --daemonize yes on $REDIS_HOST:$REDIS_PORT (no persistence)"
fi
redis_version="$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^redis_version://p')"
say "redis: ${redis_done} (version ${redis_version:-?})"
