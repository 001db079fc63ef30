#!/bin/sh
# The image's entrypoint. One image, both applications:
#   docker run <image>                       RyzeAPI (the default command, `start`)
#   docker run <image> bridge                the bridge, RyzeIntegrations (set PORT, e.g. 8090)
#   docker run <image> account:create acme   RyzeAPI's CLIs; also `keys:rotate`
#   (also: docker exec <container> docker-entrypoint.sh account:create acme)
set -e
cd "$(dirname "$0")/.."
# V8 grows the young generation to 2 x 16 MiB while the service starts and keeps it, empty, for
# good: about 29 MiB of resident memory. Half of it costs no measurable throughput (bench/README.md).
NODE="node --max-semi-space-size=8"
case "$1" in
  ""|start) exec $NODE dist/src/ryzeapi/main.js ;;
  bridge) exec $NODE dist/src/bridge/main.js ;;
  account:create) shift; exec node dist/src/ryzeapi/cli/account-create.js "$@" ;;
  keys:rotate) shift; exec node dist/src/ryzeapi/cli/keys-rotate.js "$@" ;;
  *) exec "$@" ;;
esac
