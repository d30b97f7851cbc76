#!/usr/bin/env bash
# Deploy one generated stack with `aws cloudformation deploy`.
#   scripts/deploy.sh STACK [--profile P] [--region R] [--role-arn ARN|deployer] [--dry-run]
#                     [--parameter-overrides KEY=VALUE ...] [--s3-bucket BUCKET]
# STACK is <service>-<env> (a file in templates/), its template path, or a bootstrap stack
# (bootstrap-bitbucket, bootstrap-github, bootstrap-deployer). It must be what its spec
# builds today. Only the bootstrap templates have parameters: a service template holds its
# spec's values as literals. The AWS CLI is the `aws` on PATH (v2) unless AWS_CLI names
# another; without --profile/--region it reads AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
[ -x "$python" ] || { echo "run 'make templates' first: it creates .venv" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 STACK [--profile P] [--region R] [--dry-run] [--parameter-overrides K=V ...]" >&2; exit 2; }
cd "$root"
exec "$python" -m generator deploy "$@"
