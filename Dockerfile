# syntax=docker/dockerfile:1
#
# Three images:
#   runtime (default)  what is deployed:
#     checkin-api        (crate api)        serve | migrate up | spec
#     checkin-worker     (crate worker)     apalis workers + cron sweeper + /metrics
#     checkin-dashboard  (crate dashboard)  ops dashboard
#     checkin-paymock    (crate paymock)    mock payment provider (development and demo)
#     checkin-autoscaler (crate autoscaler) sets the number of workers from the backlog
#   autoscaler (--target autoscaler)  the runtime plus Debian's docker-compose, which the
#     autoscaler runs to scale the compose `worker` service (docker-compose.yml, profile
#     autoscale)
#   tools (--target tools)  the runtime plus checkin-seed, checkin-sim, checkin-bench
#
# Build:  docker build -t checkin:latest .      (or: docker compose build)
# Needs BuildKit (default since Docker 23 and in `docker compose`) for the cache mounts.

############################ builder ############################
FROM rust:1.95-bookworm AS builder

WORKDIR /src

# The whole tree is copied on purpose: api/static and dashboard/static are pulled into
# the binaries with include_str!, and every workspace member must be present for
# `--locked` to resolve. .dockerignore keeps target/, .git/ and secrets out.
COPY . .

# Registry, git checkouts and target/ live in BuildKit cache mounts, so a source-only
# change rebuilds just the workspace crates. The binaries are copied out of the cache
# mount inside the same RUN (the mount is not part of the image layer).
RUN --mount=type=cache,id=checkin-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=checkin-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,id=checkin-target,target=/src/target,sharing=locked \
    cargo build --release --locked -p checkin-api -p checkin-worker -p checkin-dashboard \
        -p checkin-paymock -p checkin-autoscaler -p checkin-tools --bins \
 && mkdir -p /out /out-tools \
 && for bin in checkin-api checkin-paymock checkin-worker checkin-dashboard checkin-autoscaler; do \
        install -m 0755 "target/release/$bin" "/out/$bin" || exit 1; \
    done \
 && for bin in checkin-seed checkin-sim checkin-bench; do \
        install -m 0755 "target/release/$bin" "/out-tools/$bin" || exit 1; \
    done

############################ runtime ############################
FROM debian:bookworm-slim AS runtime

# ca-certificates: outbound TLS (rustls reads the system store on some paths);
# curl: used by the compose healthchecks (`curl -fsS http://127.0.0.1:PORT/healthz`);
# tini: PID 1 that forwards SIGTERM and reaps zombies (`sh -c` in the migrate service).
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 checkin \
 && useradd --system --uid 10001 --gid checkin --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin checkin

COPY --from=builder /out/ /usr/local/bin/

# numeric, so runtimes can verify "non-root" without reading /etc/passwd
USER 10001:10001
WORKDIR /tmp

ENV RUST_LOG=info \
    LOG_JSON=true \
    API_BIND=0.0.0.0:8080 \
    DASHBOARD_BIND=0.0.0.0:8081 \
    PAYMOCK_BIND=0.0.0.0:8090 \
    WORKER_METRICS_BIND=0.0.0.0:9091

# api, dashboard, paymock, worker metrics
EXPOSE 8080 8081 8090 9091

# No HEALTHCHECK here: docker-compose.yml defines one per service.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["checkin-api", "serve"]

############################ autoscaler ############################
# checkin-autoscaler with the compose backend: it runs `docker-compose up --scale worker=N`
# (Debian's docker-compose 1.29, Python, talks to the Engine through the mounted socket;
# Debian ships the docker CLI only with the daemon, and the autoscaler needs neither).
# It runs as root: the Docker socket it is given is root on the host anyway (see
# docker-compose.yml), so an unprivileged user in the socket's group would be no safer, and
# that group's id differs from host to host.
FROM runtime AS autoscaler
# hadolint ignore=DL3002
USER 0:0
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-compose \
 && rm -rf /var/lib/apt/lists/*
ENV AUTOSCALER_BACKEND=compose \
    AUTOSCALER_METRICS_BIND=0.0.0.0:9089
EXPOSE 9089
CMD ["checkin-autoscaler"]

############################ tools ############################
# Never deployed: demo data, the simulator and the benchmark, for `--profile demo` and tests.
FROM runtime AS tools
COPY --from=builder /out-tools/ /usr/local/bin/
CMD ["checkin-seed", "--help"]
