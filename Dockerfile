# syntax=docker/dockerfile:1
# The burrow executable (single-file) on Debian's .NET runtime-deps base image, run as
# a user without privileges. Build (amd64 or arm64, from either):
#   docker build -t burrow .
#   docker buildx build --platform linux/arm64 -t burrow:arm64 .
# An edge (the default command; the health check reads its /healthz on 127.0.0.1:9090):
#   docker run -d -p 8443:8443 -p 8880:8880 -p 4443:4443 -v burrow-data:/var/lib/burrow burrow \
#     server --data-dir /var/lib/burrow --health-addr 127.0.0.1:9090 --domain tunnel.example.com
# An agent (no health check to pass: run it with --no-healthcheck):
#   docker run --no-healthcheck -e BURROW_AUTHTOKEN=brw_... burrow http host.docker.internal:8080 --server tunnel.example.com:4443
# More, and the Kubernetes sidecar: docs/deploy.md, deploy/kubernetes/sidecar.yaml.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
# Only what the publish reads: the build props, the sources of the executable and the publish script.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
COPY packaging/publish.sh packaging/
# The SDK cross-publishes: an arm64 image is built without emulation. NuGet's cache outlives the layer.
RUN --mount=type=cache,target=/root/.nuget/packages \
    rid="linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)" \
 && NICE=0 packaging/publish.sh "$rid" \
 && install -D -m 0755 "artifacts/single-file/$rid/burrow" /out/burrow

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
COPY --from=build /out/burrow /usr/bin/burrow
# The edge's data (control store, local CA, admin key) and the agent's state, on a volume; the single-file
# binary unpacks its SQLite library under /tmp, so a read-only root file system works (mount /tmp).
RUN install -d -o "$APP_UID" -g "$APP_UID" -m 0750 /var/lib/burrow
ENV DOTNET_BUNDLE_EXTRACT_BASE_DIR=/tmp/burrow-bundle \
    BURROW_STATE_DIR=/var/lib/burrow/agent
VOLUME /var/lib/burrow
# runtime-deps' own user without privileges (uid 1654); ports above 1024 need no capability.
USER $APP_UID
WORKDIR /var/lib/burrow
EXPOSE 4443 8443 8880
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9090 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/bin/burrow"]
CMD ["server", "--data-dir", "/var/lib/burrow", "--health-addr", "127.0.0.1:9090"]
