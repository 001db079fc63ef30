#!/bin/sh
# The image's entrypoint. One image, both applications:
#   docker run <image>                       RyzeAPI (the default command, `start`)
#   docker run <image> bridge                the bridge, RyzeIntegrations (set PORT, e.g. 8090)
#   docker run <image> account:create acme   RyzeAPI's CLIs; also `keys:rotate`
#   (also: docker exec <container> docker-entrypoint.sh account:create acme)
set -e
cd "$(dirname "$0")/.."
case "$1" in
  ""|start) exec node dist/src/ryzeapi/main.js ;;
  bridge) exec node dist/src/bridge/main.js ;;
  account:create) shift; exec node dist/src/ryzeapi/cli/account-create.js "$@" ;;
  keys:rotate) shift; exec node dist/src/ryzeapi/cli/keys-rotate.js "$@" ;;
  *) exec "$@" ;;
esac
