# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

# Dependencies first, against a placeholder main.rs: this layer is rebuilt only
# when Cargo.toml or Cargo.lock change, not on every source edit.
# (SQLite and libpq are compiled in; OpenSSL headers come with the base image.)
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && cargo build --release --locked \
    && rm -rf src

# The real sources. The placeholder's build output is removed because COPY keeps
# the files' original mtimes, which cargo could take for "already built".
# migrations/ is embedded into the binary (build.rs makes edits trigger a
# rebuild).
COPY build.rs ./
COPY src ./src
COPY migrations ./migrations
RUN rm -rf target/release/.fingerprint/suits-* target/release/deps/suits-* target/release/suits \
    && cargo build --release --locked \
    && install -m 0755 target/release/suits /usr/local/bin/suits

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim

# libssl3: OpenSSL is linked dynamically (by libpq). curl: the healthchecks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# Fixed numeric ids so orchestrators can verify "non-root" and volumes can be
# chowned from the host.
RUN groupadd --system --gid 10001 suits \
    && useradd --system --uid 10001 --gid suits --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin suits \
    && mkdir -p /app/data \
    && chown suits:suits /app/data

COPY --from=builder /usr/local/bin/suits /usr/local/bin/suits

# Without DATABASE_URL the server uses SQLite at ./data/suits.db, i.e. this volume.
WORKDIR /app
VOLUME ["/app/data"]
USER 10001:10001

ENV SUITS_BIND=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080

# Liveness only; /readyz (database reachable) is what docker-compose.yml checks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1

ENTRYPOINT ["suits"]
CMD ["serve"]
