#!/usr/bin/env bash
# Deploy one generated stack with `aws cloudformation deploy`.
#   scripts/deploy.sh STACK [--parameter-overrides KEY=VALUE ...] [--dry-run] [--s3-bucket BUCKET]
# STACK is <service>-<env> (a file in templates/), bootstrap-bitbucket or bootstrap-github.
# It must be what its spec builds today. Only the bootstrap templates have parameters: a
# service template holds its spec's values as literals. Region and profile come
# from the usual AWS variables (AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
[ -x "$python" ] || { echo "run 'make templates' first: it creates .venv" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 STACK [--parameter-overrides K=V ...] [--dry-run]" >&2; exit 2; }
cd "$root"
exec "$python" -m generator deploy "$@"
