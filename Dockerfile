# OpenCentral server image: a build stage with the compilers, a runtime stage with only what runs.
#   docker build -t opencentral .
#   docker run -p 8080:8080 -v opencentral-data:/data -e OPENCENTRAL_PUBLIC_URL=http://localhost:8080 opencentral
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    OPENCENTRAL_HOST=0.0.0.0 \
    OPENCENTRAL_PORT=8080 \
    OPENCENTRAL_DATA=/data \
    OPENCENTRAL_PUBLIC_URL=http://localhost:8080
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/dist-ui ./dist-ui
# No compiler here: better-sqlite3 ships its binaries, and prepare keeps the build copied above.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 8080: REST API and web application; 8883: the device endpoint (MQTT over TLS).
EXPOSE 8080 8883
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPENCENTRAL_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/opencentral.js", "start"]
