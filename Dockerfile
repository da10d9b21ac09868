# virtkeeper daemon image. Build: docker build -t virtkeeper .
# Run against the host's libvirt (socket mounted in; the container user must be in the socket's group):
#   docker run -d --name virtkeeper \
#     -v /var/run/libvirt/libvirt-sock:/var/run/libvirt/libvirt-sock \
#     --group-add "$(stat -c %g /var/run/libvirt/libvirt-sock)" \
#     -v /srv/virtkeeper:/srv/virtkeeper:ro -v virtkeeper-state:/var/lib/virtkeeper \
#     -p 127.0.0.1:9464:9464 virtkeeper
# scripts/check-dockerfile.sh replays these steps without a Docker engine (CI has none).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
# npm ci builds better-sqlite3 (the state store) and, through the prepare script, compiles src/ to dist/.
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# openssh-client: for qemu+ssh:// URIs. The fixed uid lets operators grant socket access by id.
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 virtkeeper \
    && useradd --system --uid 10001 --gid virtkeeper --home-dir /var/lib/virtkeeper --create-home virtkeeper
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
USER virtkeeper
ENV NODE_ENV=production \
    VIRTKEEPER_CONNECT=qemu:///system \
    XDG_STATE_HOME=/var/lib/virtkeeper
EXPOSE 9464
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["run", "/srv/virtkeeper/current", "--listen", "0.0.0.0:9464"]
