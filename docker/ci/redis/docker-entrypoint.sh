#!/bin/sh
# Entrypoint of the CI Redis image (Debian's redis-server), after the official image's:
# arguments starting with `-` are options of redis-server, and redis-server without a
# config file runs with `--protected-mode no` unless told otherwise, so that other
# containers may connect (protected mode refuses every client but loopback when no
# password is set). Only the compose network reaches these servers.
set -eu
case "${1:-}" in -*) set -- redis-server "$@" ;; esac
if [ "${1:-}" = redis-server ]; then
    case " $* " in
    *" --protected-mode "* | *.conf" "*) ;;
    *) set -- "$@" --protected-mode no ;;
    esac
fi
exec "$@"
