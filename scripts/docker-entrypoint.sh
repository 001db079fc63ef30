#!/bin/sh
# The image's entrypoint: `docker run <image>` runs the service; `docker run <image> account:create acme`
# and `docker run <image> keys:rotate` run the CLIs (also: docker exec <container> docker-entrypoint.sh account:create acme).
set -e
cd "$(dirname "$0")/.."
case "$1" in
  ""|start) exec node dist/src/ryzeapi/main.js ;;
  account:create) shift; exec node dist/src/ryzeapi/cli/account-create.js "$@" ;;
  keys:rotate) shift; exec node dist/src/ryzeapi/cli/keys-rotate.js "$@" ;;
  *) exec "$@" ;;
esac
