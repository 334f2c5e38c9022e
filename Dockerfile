# One image build for the Mystira example hosts; docker-compose.yml picks a target per service:
#   chain-server   the Chain service (devnet, or LEDGER=story) (examples/chain-server, port 50051)
#   app-api        the App API                              (examples/app-api,      port 8080)
#   publisher-web  the Publisher page                       (examples/publisher-web, port 5173)
# The hosts run their TypeScript sources with Node 24 (type stripping) over the built packages.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
# npm ci also installs the `node` devDependency and the build tools; the build writes every
# package's dist/ and the page's dist/.
RUN npm ci --no-audit --no-fund && npm run build

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# Never run the hosts as root.
USER node

FROM runtime AS chain-server
WORKDIR /app/examples/chain-server
EXPOSE 50051
CMD ["node", "src/main.ts"]

FROM runtime AS app-api
WORKDIR /app/examples/app-api
EXPOSE 8080
CMD ["node", "src/main.ts"]

FROM runtime AS publisher-web
WORKDIR /app/examples/publisher-web
EXPOSE 5173
CMD ["node", "serve.ts"]
