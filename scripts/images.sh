#!/usr/bin/env bash
# Builds the images docker-compose.ci.yml runs, from Debian's packages only (no image
# registry needed), on a machine with a Docker Engine:
#
#   checkin-ci/base:bookworm-<hash>  debootstrap --variant=minbase of bookworm + PACKAGES,
#                                    `docker import`ed; <hash> = hash of the package list and
#                                    of this recipe, so it is built once and then reused
#   checkin-ci/mariadb:<hash>        Debian's MariaDB with an entrypoint that sets up the data
#                                    directory like the official image (MARIADB_* variables)
#   checkin-ci/redis:<hash>          Debian's Redis, for the queue and the three lock nodes
#   checkin-ci/app:<hash>            checkin-api, -worker, -dashboard, -paymock, -autoscaler,
#                                    built on the host
#   checkin-ci/autoscaler:<hash>     the app image as root, running checkin-autoscaler (the base
#                                    carries Debian's docker-compose, which it runs)
#   checkin-ci/tools:<hash>          the app image plus checkin-seed, -sim, -bench
#
# Each image is tagged by a hash of what goes into it and skipped when `docker image
# inspect` finds that tag; each is also tagged :local (what docker-compose.ci.yml uses by
# default). The binaries are copied from $CARGO_TARGET_DIR/$PROFILE (debug by default, the
# build scripts/test.sh already made; PROFILE=release for release ones): no Rust toolchain
# runs in an image. Build them first: cargo build --workspace --bins [--release].
#
# Writes the exact tags as shell assignments to $CHECKIN_CI_IMAGES_ENV (default
# target/compose-ci/images.env) for scripts/compose-test.sh, and prints them.
#
# Env: PROFILE (debug), CARGO_TARGET_DIR ($HOME/.cache/checkin-target, as scripts/test.sh),
#      DEBIAN_MIRROR (default: the bookworm mirror in this machine's apt sources),
#      REBUILD_BASE=1 (build the base again even if it exists).
# Needs root (or sudo) for debootstrap, the first time only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SUITE=bookworm
# What every service needs: the databases, their clients (healthchecks), curl (app
# healthchecks), tini (PID 1), procps (ps/pkill when debugging a container), and
# docker-compose (v1, Python: the autoscaler scales the worker service with it; the
# docker CLI comes only with Debian's daemon package, and nothing here needs it).
PACKAGES=(mariadb-server mariadb-client redis-server ca-certificates curl tini procps docker-compose)
# Bump when the way the root filesystem is made changes (it is part of the base's hash).
BASE_RECIPE=1

PROFILE="${PROFILE:-debug}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/checkin-target}"
APP_BINS=(checkin-api checkin-worker checkin-dashboard checkin-paymock checkin-autoscaler)
TOOLS_BINS=(checkin-seed checkin-sim checkin-bench)
ENV_OUT="${CHECKIN_CI_IMAGES_ENV:-$ROOT/target/compose-ci/images.env}"
CI_DIR="$ROOT/docker/ci"

log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: ERROR: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
hash_of() { sha256sum | cut -c1-12; }

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

have docker || die "docker not found"
docker info >/dev/null 2>&1 || die "the Docker Engine does not answer (docker info)"
# The classic builder: this machine's docker CLI has no buildx, and nothing here needs
# BuildKit (a FROM of a local image, COPY, RUN).
export DOCKER_BUILDKIT=0

# One build at a time on this machine (two CI runs starting together share the images).
mkdir -p "$ROOT/target/compose-ci"
exec 9>"${TMPDIR:-/tmp}/checkin-ci-images.lock"
flock 9

# ------------------------------------------------------------------ base
# The first mirror serving $SUITE in this machine's apt sources: one-line `deb` entries in
# *.list and deb822 stanzas in *.sources (comments and disabled stanzas skipped).
debian_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        case "$f" in
        *.sources)
            awk -v suite="$SUITE" '
                BEGIN { RS = ""; FS = "\n" }
                {
                    types = ""; uris = ""; suites = ""; enabled = "yes"
                    for (i = 1; i <= NF; i++) {
                        if ($i ~ /^[ \t]*#/ || !match($i, /^[A-Za-z-]+:/)) continue
                        key = tolower(substr($i, 1, RLENGTH - 1)); val = substr($i, RLENGTH + 1)
                        gsub(/^[ \t]+|[ \t]+$/, "", val)
                        if (key == "types") types = val
                        else if (key == "uris") uris = val
                        else if (key == "suites") suites = val
                        else if (key == "enabled") enabled = tolower(val)
                    }
                    if (enabled == "no" || (" " types " ") !~ / deb / || (" " suites " ") !~ (" " suite " ")) next
                    split(uris, u, /[ \t]+/); print u[1]; exit
                }' "$f"
            ;;
        *)
            awk -v suite="$SUITE" '
                $1 == "deb" {
                    i = 2
                    if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == suite) { print $i; exit }
                }' "$f"
            ;;
        esac
    done | head -n 1
}

base_hash="$(printf '%s\n' "$SUITE" minbase "recipe $BASE_RECIPE" "${PACKAGES[@]}" | hash_of)"
BASE_IMAGE="checkin-ci/base:$SUITE-$base_hash"

build_base() {
    local mirror rootfs started
    mirror="${DEBIAN_MIRROR:-$(debian_mirror)}"
    [ -n "$mirror" ] || die "no Debian mirror for $SUITE in /etc/apt/sources.list{,.d}; set DEBIAN_MIRROR"
    if ! have debootstrap; then
        log "installing debootstrap (Debian package)"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=600 debootstrap >/dev/null \
            || { "${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null \
                 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    --no-install-recommends -o DPkg::Lock::Timeout=600 debootstrap >/dev/null; } \
            || die "could not install debootstrap"
    fi
    rootfs="$(mktemp -d /var/tmp/checkin-rootfs.XXXXXX)"
    # shellcheck disable=SC2064  # expand $rootfs now
    trap "${SUDO[*]} rm -rf --one-file-system '$rootfs'" EXIT
    started=$SECONDS
    log "building $BASE_IMAGE: debootstrap --variant=minbase $SUITE from $mirror (${PACKAGES[*]})"
    if ! "${SUDO[@]}" debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
        "$SUITE" "$rootfs" "$mirror" >"$ROOT/target/compose-ci/debootstrap.log" 2>&1; then
        tail -n 30 "$ROOT/target/compose-ci/debootstrap.log" >&2
        die "debootstrap failed (log: target/compose-ci/debootstrap.log)"
    fi
    # Smaller, and no state from the build: the packages' own database and Redis data
    # directories are emptied (the images' entrypoints initialise them on first start),
    # apt's downloads and lists go, resolv.conf and hostname come from Docker.
    # shellcheck disable=SC2016  # $1 is the inner shell's
    "${SUDO[@]}" sh -c '
        set -e
        cd "$1"
        find var/lib/mysql var/lib/redis -mindepth 1 -delete
        rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* var/log/*.log \
            var/log/apt/* tmp/* etc/resolv.conf etc/hostname
    ' sh "$rootfs"
    log "debootstrap done in $((SECONDS - started)) s ($("${SUDO[@]}" du -sh "$rootfs" | cut -f1)); docker import"
    "${SUDO[@]}" tar --numeric-owner -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --change "LABEL org.opencontainers.image.title=checkin-ci-base checkin.ci.packages=\"${PACKAGES[*]}\"" \
        --message "debootstrap --variant=minbase $SUITE + ${PACKAGES[*]}" \
        - "$BASE_IMAGE" >/dev/null
    "${SUDO[@]}" rm -rf --one-file-system "$rootfs"
    trap - EXIT
    log "base built in $((SECONDS - started)) s"
}

if [ "${REBUILD_BASE:-0}" != 1 ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "$BASE_IMAGE: cached"
else
    build_base
fi
docker tag "$BASE_IMAGE" checkin-ci/base:local

# ------------------------------------------------------------------ derived images
# build_image NAME HASH CONTEXT DOCKERFILE [TARGET]: docker build unless NAME:HASH exists;
# tags NAME:local too; prints NAME:HASH.
build_image() {
    local name="$1" hash="$2" context="$3" dockerfile="$4" target="${5:-}" tag started
    tag="$name:$hash"
    if docker image inspect "$tag" >/dev/null 2>&1; then
        log "$tag: cached"
    else
        started=$SECONDS
        local args=(build --quiet --force-rm --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$dockerfile" -t "$tag")
        [ -z "$target" ] || args+=(--target "$target")
        local out
        if ! out="$(docker "${args[@]}" "$context" 2>&1)"; then
            printf '%s\n' "$out" >&2
            die "docker build of $tag failed"
        fi
        log "$tag: built in $((SECONDS - started)) s"
    fi
    docker tag "$tag" "$name:local"
    printf '%s\n' "$tag"
}

# The hash of a directory's files (names and contents) plus the base.
dir_hash() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; echo "$BASE_IMAGE") | hash_of; }

MARIADB_IMAGE="$(build_image checkin-ci/mariadb "$(dir_hash "$CI_DIR/mariadb")" "$CI_DIR/mariadb" "$CI_DIR/mariadb/Dockerfile")"
REDIS_IMAGE="$(build_image checkin-ci/redis "$(dir_hash "$CI_DIR/redis")" "$CI_DIR/redis" "$CI_DIR/redis/Dockerfile")"

# App and tools: a build context of the host's binaries and the Dockerfile, nothing else.
bin_dir="$CARGO_TARGET_DIR/$PROFILE"
for b in "${APP_BINS[@]}" "${TOOLS_BINS[@]}"; do
    [ -x "$bin_dir/$b" ] || die "$bin_dir/$b missing: cargo build --workspace --bins$([ "$PROFILE" = debug ] || echo " --profile $PROFILE")"
done
ctx="$(mktemp -d "${TMPDIR:-/tmp}/checkin-ci-ctx.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/app" "$ctx/tools"
for b in "${APP_BINS[@]}"; do cp "$bin_dir/$b" "$ctx/app/"; done
for b in "${TOOLS_BINS[@]}"; do cp "$bin_dir/$b" "$ctx/tools/"; done
cp "$CI_DIR/app/Dockerfile" "$ctx/Dockerfile"
bins_hash="$(dir_hash "$ctx")"
APP_IMAGE="$(build_image checkin-ci/app "$PROFILE-$bins_hash" "$ctx" "$ctx/Dockerfile" runtime)"
AUTOSCALER_IMAGE="$(build_image checkin-ci/autoscaler "$PROFILE-$bins_hash" "$ctx" "$ctx/Dockerfile" autoscaler)"
TOOLS_IMAGE="$(build_image checkin-ci/tools "$PROFILE-$bins_hash" "$ctx" "$ctx/Dockerfile" tools)"

# Keep the newest three app/autoscaler/tools builds; images a container uses are refused by rmi.
for name in checkin-ci/app checkin-ci/autoscaler checkin-ci/tools; do
    docker image ls "$name" --format '{{.Tag}}' | { grep -v '^local$' || true; } | tail -n +4 \
        | while read -r old; do docker rmi "$name:$old" >/dev/null 2>&1 || true; done
done

cat >"$ENV_OUT" <<EOF
CHECKIN_CI_BASE_IMAGE=$BASE_IMAGE
CHECKIN_CI_MARIADB_IMAGE=$MARIADB_IMAGE
CHECKIN_CI_REDIS_IMAGE=$REDIS_IMAGE
CHECKIN_CI_APP_IMAGE=$APP_IMAGE
CHECKIN_CI_AUTOSCALER_IMAGE=$AUTOSCALER_IMAGE
CHECKIN_CI_TOOLS_IMAGE=$TOOLS_IMAGE
EOF
cat "$ENV_OUT"
