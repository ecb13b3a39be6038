# syntax=docker/dockerfile:1
#
# llm-router gateway image.
#   docker build -t llm-router .
#   docker run -p 8080:8080 -e OPENAI_API_KEY llm-router     # built-in default configuration
#   docker run -p 8080:8080 -e OPENAI_API_KEY -v $PWD/gateway.toml:/etc/llm-router/config.toml:ro \
#     llm-router serve --config /etc/llm-router/config.toml --listen 0.0.0.0:8080
#
# Stage 1 builds the release binary on Debian (glibc); stage 2 is distroless/cc: glibc,
# libgcc and CA certificates, no shell, no package manager, non-root. rustls + ring means no
# OpenSSL at run time. (A fully static musl build also works — ring compiles on musl — but
# musl's allocator is markedly slower under a gateway's many small allocations, so glibc is
# the default; see deploy/README.md.)

ARG RUST_VERSION=1
FROM rust:${RUST_VERSION}-slim-bookworm AS builder
WORKDIR /src
# Only the sources: never the host's target/ directory.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
COPY crates crates
COPY examples examples
COPY tests tests
COPY benches benches
COPY xtask xtask
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p llm-router-cli \
 && install -D -m 0755 target/release/llm-router /out/llm-router

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/llm-router /usr/local/bin/llm-router
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/llm-router"]
# Without --config: the built-in default (mock models + every provider whose key is set).
CMD ["serve", "--listen", "0.0.0.0:8080"]
