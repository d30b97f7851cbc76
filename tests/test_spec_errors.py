"""Bad input: one row per error kind, with the exact message expected."""

from __future__ import annotations

import pytest

from generator.spec.errors import SpecErrors
from generator.spec.loader import load_spec_text
from generator.spec.validate import spec_warnings, validate_spec

GOOD = """\
service: orders-api
repository:
  provider: bitbucket
  url: https://bitbucket.org/acme/orders-api.git
build:
  timeout: 60
environments:
  dev:
    branch: develop
    events: [push]
    deploy:
      ecs: {cluster: dev, service: orders-api, task_roles: []}
"""

SECRET_KEY = "arn:aws:kms:eu-west-1:111122223333:key/9f8e7d6c-5b4a-4c3d-8e2f-0a1b2c3d4e5f"
ACCESS_LOGS = "access_logs: acme-s3-access-logs-111122223333-eu-west-1\n"
KMS = "kms_key: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        validate_spec(load_spec_text(text, "s.yaml"))
    return [str(e) for e in caught.value.errors]


def test_the_good_spec_is_valid() -> None:
    spec = validate_spec(load_spec_text(GOOD, "s.yaml"))
    assert spec.build.compute == "small" and spec.badge is True


CASES = [
    (
        "password in a URL variable",
        GOOD.replace("timeout: 60", "variables: {DB_URL: 'postgres://app:s3cr3t@db:5432/x'}"),
        "s.yaml:6:23: build.variables.DB_URL: holds a password in a URL: plain variables are "
        "visible in the template and the CodeBuild console; move it to build.secrets "
        "(ssm:/... or secretsmanager:...)",
    ),
    (
        "GitHub token in an environment variable",
        GOOD.replace(
            "    events: [push]", "    events: [push]\n    variables: {GH: ghp_" + "a1" * 18 + "}"
        ),
        "s.yaml:11:21: environments.dev.variables.GH: holds a GitHub token: plain variables are "
        "visible in the template and the CodeBuild console; move it to environments.dev.secrets "
        "(ssm:/... or secretsmanager:...)",
    ),
    (
        "Slack webhook URL",
        GOOD.replace(
            "timeout: 60",
            "variables: {CHAT: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX'}",
        ),
        "s.yaml:6:21: build.variables.CHAT: holds a Slack webhook URL: plain variables are "
        "visible in the template and the CodeBuild console; move it to build.secrets "
        "(ssm:/... or secretsmanager:...)",
    ),
    (
        "AWS access key id",
        GOOD.replace("timeout: 60", "variables: {KEY_ID: AKIAIOSFODNN7EXAMPLE}"),
        "s.yaml:6:23: build.variables.KEY_ID: holds an AWS access key ID: plain variables are "
        "visible in the template and the CodeBuild console; move it to build.secrets "
        "(ssm:/... or secretsmanager:...)",
    ),
    (
        "npm auth token line",
        GOOD.replace(
            "timeout: 60", "variables: {NPMRC: '//registry.npmjs.org/:_authToken=abc123'}"
        ),
        "s.yaml:6:22: build.variables.NPMRC: holds an npm auth token (_authToken=): plain "
        "variables are visible in the template and the CodeBuild console; move it to "
        "build.secrets (ssm:/... or secretsmanager:...)",
    ),
    (
        "pull-request-closed deploys declined pull requests",
        GOOD.replace("[push]", "[push, pull-request-closed]"),
        "s.yaml:10:20: environments.dev.events[1]: pull-request-closed would deploy the code of "
        "every declined pull request; validate pull requests in checks: (no deploy) or run "
        "clean-up in a separate job, and remove it here",
    ),
    (
        "branch as a full ref",
        GOOD.replace("branch: develop", "branch: refs/heads/develop"),
        's.yaml:9:13: environments.dev.branch: "refs/heads/develop" is a full ref name; the '
        'generator adds refs/heads/ itself; write the branch name "develop"',
    ),
    (
        "branch as a remote-tracking name",
        GOOD.replace("branch: develop", "branch: origin/main"),
        's.yaml:9:13: environments.dev.branch: "origin/main" is a remote-tracking name, which '
        'no webhook event names; write the branch name "main"',
    ),
    (
        "checks branch as a remote-tracking name",
        GOOD + "checks: {branches: [main, origin/develop]}\n",
        's.yaml:13:27: checks.branches[1]: "origin/develop" is a remote-tracking name, which '
        'no webhook event names; write the branch name "develop"',
    ),
    (
        "path starting with ./",
        GOOD.replace("    events: [push]", "    events: [push]\n    paths: ['./libs/**']"),
        's.yaml:11:13: environments.dev.paths[0]: "./libs/**" starts with ./, but CodeBuild '
        "matches changed files by their path from the repository root, which never does; "
        'write "libs/**"',
    ),
    (
        "ECR repository without its registry",
        GOOD.replace("timeout: 60", "image: ci/maven-jdk21:1.4"),
        's.yaml:6:10: build.image: "ci/maven-jdk21:1.4" could be a Docker Hub image or an ECR '
        'repository written without its registry: write "docker.io/ci/maven-jdk21:1.4" for '
        "Docker Hub, or the full ECR name <account>.dkr.ecr.<region>.amazonaws.com/"
        "ci/maven-jdk21:1.4",
    ),
    (
        "private registry",
        GOOD.replace("timeout: 60", "image: artifactory.acme.corp/docker/maven:3"),
        's.yaml:6:10: build.image: "artifactory.acme.corp/docker/maven:3" is on registry '
        "artifactory.acme.corp, which is not a public registry this generator allows "
        "(public.ecr.aws, docker.io, ghcr.io, quay.io, mcr.microsoft.com); a private registry "
        "needs CodeBuild's RegistryCredential, which is not supported: copy the image to ECR "
        "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)",
    ),
    (
        "buildspec with a leading slash",
        GOOD.replace("timeout: 60", "buildspec: /ci/buildspec.yml"),
        's.yaml:6:14: build.buildspec: "/ci/buildspec.yml" starts with /: paths are relative to '
        'the repository root; write "ci/buildspec.yml"',
    ),
    (
        "empty buildspec",
        GOOD.replace("timeout: 60", "buildspec:"),
        "s.yaml:6:13: build.buildspec: is empty: give a path or remove the line",
    ),
    (
        "empty checks buildspec",
        GOOD + "checks: {branches: [main], buildspec: ''}\n",
        "s.yaml:13:39: checks.buildspec: is empty: give a path or remove the line",
    ),
    (
        "subnet given twice",
        GOOD.replace(
            "timeout: 60",
            "vpc: {vpc: vpc-0abc1234, subnets: [subnet-0abc1234, subnet-0abc1234], "
            "security_groups: [sg-0abc1234]}",
        ),
        's.yaml:6:55: build.vpc.subnets[1]: lists "subnet-0abc1234" twice; give it once',
    ),
    (
        "secret key given as an alias",
        GOOD.replace("timeout: 60", "secret_keys: [alias/payments-secrets]"),
        "s.yaml:6:17: build.secret_keys[0]: must be the ARN of a KMS key (arn:aws:kms:<region>:"
        "<account>:key/<key-id>; an alias cannot be used in key policies and grants); got "
        '"alias/payments-secrets"',
    ),
    (
        "secret key given as a bare key id",
        GOOD.replace("timeout: 60", "secret_keys: [1234abcd-12ab-34cd-56ef-1234567890ab]"),
        "s.yaml:6:17: build.secret_keys[0]: must be the ARN of a KMS key (arn:aws:kms:<region>:"
        "<account>:key/<key-id>; an alias cannot be used in key policies and grants); got "
        '"1234abcd-12ab-34cd-56ef-1234567890ab"',
    ),
    (
        "secret key given twice",
        GOOD.replace("timeout: 60", f"secret_keys: [{SECRET_KEY}, {SECRET_KEY}]"),
        f's.yaml:6:94: build.secret_keys[1]: lists "{SECRET_KEY}" twice; give it once',
    ),
    (
        "duplicate key",
        GOOD.replace("build:\n", "build:\n  timeout: 30\n"),
        "s.yaml:7:3: build.timeout: duplicate key; first given at line 6",
    ),
    ("not a mapping", "- a\n- b\n", "s.yaml:1:1: a spec must be a mapping; got list"),
    ("empty", "", "s.yaml:1:1: the spec is empty; expected a mapping"),
    (
        "unknown key",
        GOOD.replace("environments:", "enviroments:"),
        "s.yaml:7:1: enviroments: unknown field; allowed: service, description, repository, build, "
        "logs, badge, environments, kms_key, delivery, checks, notifications, access_logs, "
        "hardening, "
        "tags, "
        'overrides (did you mean "environments"?)',
    ),
    (
        "wrong type",
        GOOD.replace("timeout: 60", "privileged: sometimes"),
        's.yaml:6:15: build.privileged: must be true or false; got "sometimes"',
    ),
    (
        "number as string",
        GOOD.replace("timeout: 60", 'timeout: "60"'),
        's.yaml:6:12: build.timeout: must be a whole number; got "60"',
    ),
    (
        "out of range",
        GOOD.replace("timeout: 60", "timeout: 600"),
        "s.yaml:6:12: build.timeout: must be at most 480; got 600",
    ),
    (
        "retention",
        GOOD + "logs: {retention: 10}\n",
        "s.yaml:13:19: logs.retention: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
        "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got 10",
    ),
    (
        "http url",
        GOOD.replace("https://bitbucket", "http://bitbucket"),
        "s.yaml:4:8: repository.url: must be an https:// clone URL; got "
        '"http://bitbucket.org/acme/orders-api.git"',
    ),
    (
        "github enterprise",
        GOOD.replace("provider: bitbucket", "provider: github").replace(
            "bitbucket.org", "git.acme.corp"
        ),
        's.yaml:4:8: repository.url: must be on github.com; got "git.acme.corp" (GitHub Enterprise '
        "is not supported: CloudFormation cannot create a GitHub Enterprise webhook)",
    ),
    (
        "service name",
        GOOD.replace("service: orders-api", "service: Orders_API"),
        's.yaml:1:10: service: must match ^[a-z][a-z0-9-]{1,30}$; got "Orders_API"',
    ),
    (
        "event typo",
        GOOD.replace("[push]", "[push, pull-request-reopend]"),
        "s.yaml:10:20: environments.dev.events[1]: must be one of push, pull-request-created, "
        "pull-request-updated, pull-request-merged, pull-request-closed, pull-request-reopened; "
        'got "pull-request-reopend" (did you mean "pull-request-reopened"?)',
    ),
    (
        "provider event",
        GOOD.replace("[push]", "[push, pull-request-reopened]"),
        "s.yaml:10:20: environments.dev.events[1]: must be one of push, pull-request-created, "
        "pull-request-updated, pull-request-merged, pull-request-closed for provider bitbucket; "
        'got "pull-request-reopened" (Bitbucket does not send it)',
    ),
    (
        "two targets",
        GOOD.replace("      ecs:", "      s3: {bucket: abc}\n      ecs:"),
        "s.yaml:12:7: environments.dev.deploy: must name exactly one target, ecs or s3; "
        "got ecs and s3",
    ),
    (
        "no environments",
        GOOD.split("environments:")[0] + "environments: {}\n",
        "s.yaml:7:15: environments: must have at least 1 item(s); got 0",
    ),
    (
        "bad secret",
        GOOD.replace("timeout: 60", "secrets: {DB: /orders/db}"),
        "s.yaml:6:17: build.secrets.DB: must be ssm:/parameter/path or "
        'secretsmanager:<secret-name-or-arn>[:json-key]; got "/orders/db"',
    ),
    (
        "missing field",
        GOOD.replace("    branch: develop\n", ""),
        "s.yaml:9:5: environments.dev.branch: is required: the branch whose pushes start this "
        "environment's pipeline (or after: <environment> to deploy what that environment "
        "deployed)",
    ),
    (
        "extract without key",
        GOOD.replace(
            "ecs: {cluster: dev, service: orders-api, task_roles: []}",
            "s3: {bucket: abc, extract: false}",
        ),
        "s.yaml:12:11: environments.dev.deploy.s3.key: is required when extract is false",
    ),
    (
        "branch",
        GOOD.replace("branch: develop", "branch: feature..x"),
        "s.yaml:9:13: environments.dev.branch: must be a Git branch name "
        "(letters, digits, . _ / + -; "
        "no '..', no leading or trailing /); got \"feature..x\"",
    ),
    (
        "bad env name",
        GOOD.replace("  dev:", "  Dev:"),
        's.yaml:8:3: environments.Dev: invalid name: must match ^[a-z][a-z0-9-]{0,15}$; got "Dev"',
    ),
    (
        "secret-like variable",
        GOOD.replace("timeout: 60", "variables: {DB_PASSWORD: hunter2}"),
        "s.yaml:6:28: build.variables.DB_PASSWORD: looks like a secret: plain variables are "
        "visible in the template and the CodeBuild console; move it to build.secrets "
        "(ssm:/... or secretsmanager:...)",
    ),
    (
        "pull requests into prod without actors",
        GOOD.replace("  dev:", "  prod:").replace("[push]", "[push, pull-request-created]"),
        "s.yaml:10:13: environments.prod.events: pull-request events ship unmerged code to the "
        "prod pipeline, a production environment; list the account IDs allowed to trigger it in "
        "actors, use push events only, or set production: false if it is not production",
    ),
    (
        "production by a word of the name",
        GOOD.replace("  dev:", "  prod-eu:").replace("[push]", "[pull-request-created]"),
        "s.yaml:10:13: environments.prod-eu.events: pull-request events ship unmerged code to "
        "the prod-eu pipeline, a production environment; list the account IDs allowed to "
        "trigger it in actors, use push events only, or set production: false if it is not "
        "production",
    ),
    (
        "production stated explicitly",
        GOOD.replace("[push]", "[pull-request-created]\n    production: true"),
        "s.yaml:10:13: environments.dev.events: pull-request events ship unmerged code to the "
        "dev pipeline, a production environment; list the account IDs allowed to trigger it in "
        "actors, use push events only, or set production: false if it is not production",
    ),
    (
        "merge beside push",
        GOOD.replace("[push]", "[push, pull-request-merged]"),
        "s.yaml:10:20: environments.dev.events[1]: pull-request-merged beside push runs the "
        "pipeline twice for every merge (a merge is a push to the target branch, and the later "
        "upload decides what deploys); keep push",
    ),
    (
        "ecs without task_roles",
        GOOD.replace(", task_roles: []", ""),
        "s.yaml:12:12: environments.dev.deploy.ecs.task_roles: is required: list the task "
        "definition's task and execution roles (the pipeline must pass them to ECS on every "
        "deploy, or the deploy fails), or write task_roles: [] when it has neither",
    ),
    (
        "parameter path without its leading slash",
        GOOD.replace("timeout: 60", "secrets: {DB: ssm:orders/db}"),
        "s.yaml:6:17: build.secrets.DB: must be ssm:/parameter/path or "
        'secretsmanager:<secret-name-or-arn>[:json-key]; got "ssm:orders/db"',
    ),
    (
        "role name with a bad path",
        GOOD.replace("task_roles: []", "task_roles: [/service-role/x]"),
        "s.yaml:12:61: environments.dev.deploy.ecs.task_roles[0]: must match "
        '^(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}$; got "/service-role/x"',
    ),
    (
        "kms alias",
        GOOD + "kms_key: alias/ci\n",
        "s.yaml:13:10: kms_key: must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:"
        'key/<key-id>; an alias cannot be used in key policies and grants); got "alias/ci"',
    ),
    (
        "strict without kms_key",
        GOOD + "hardening: strict\n",
        "s.yaml:13:12: hardening: strict needs kms_key: Control Tower's CT.CLOUDWATCH.PR.3 "
        "requires log groups encrypted with a KMS key (CloudWatch Logs accepts only a customer "
        "managed key); give kms_key, or use hardening: standard",
    ),
    (
        "strict with privileged",
        GOOD.replace("  timeout: 60\n", "  timeout: 60\n  privileged: true\n")
        + "hardening: strict\n"
        + KMS,
        "s.yaml:7:15: build.privileged: is refused under hardening: strict: Control Tower's "
        "CT.CODEBUILD.PR.4 requires privileged mode off (Docker builds need it on; build "
        "images with a daemonless tool such as kaniko or buildah, or use hardening: standard)",
    ),
    (
        "strict with short retention",
        GOOD + "logs: {retention: 90}\nhardening: strict\n" + KMS,
        "s.yaml:13:19: logs.retention: must be at least 365 under hardening: strict (Control "
        "Tower's CT.CLOUDWATCH.PR.2: logs kept a year); got 90",
    ),
    (
        "strict without access_logs",
        GOOD + "hardening: strict\n" + KMS,
        "s.yaml:13:12: hardening: strict needs access_logs: Control Tower's CT.S3.PR.2 requires "
        "server access logging on both buckets; give access_logs: <an existing log bucket in "
        "this account and Region>, or use hardening: standard",
    ),
    (
        "access_logs given as a bucket ARN",
        GOOD + "access_logs: arn:aws:s3:::acme-logs\n",
        "s.yaml:13:14: access_logs: must be an S3 bucket name (3-63 lower-case letters, digits, "
        ". and -, starting and ending with a letter or digit, no '..', not an IP address, no "
        "reserved prefix xn--, sthree-, amzn-s3-demo- or suffix -s3alias, --ol-s3, .mrap, "
        '--x-s3, --table-s3); got "arn:aws:s3:::acme-logs"',
    ),
    (
        "access_logs given as an access point alias",
        GOOD + "access_logs: acme-logs-ab12cd34ef56gh78ij90kl12mn34op56-s3alias\n",
        "s.yaml:13:14: access_logs: must be an S3 bucket name (3-63 lower-case letters, digits, "
        ". and -, starting and ending with a letter or digit, no '..', not an IP address, no "
        "reserved prefix xn--, sthree-, amzn-s3-demo- or suffix -s3alias, --ol-s3, .mrap, "
        '--x-s3, --table-s3); got "acme-logs-ab12cd34ef56gh78ij90kl12mn34op56-s3alias"',
    ),
    (
        "unknown hardening",
        GOOD + "hardening: paranoid\n",
        's.yaml:13:12: hardening: must be one of standard, strict; got "paranoid"',
    ),
    (
        "checks secrets without approval",
        GOOD + "checks:\n  branches: [main]\n  approval: none\n  secrets: {SONAR: 'ssm:/sonar'}\n",
        "s.yaml:16:12: checks.secrets: would reach pull-request code from anyone: with "
        "secrets, keep approval: all (an approver's comment before each pull request builds) "
        "or list actors",
    ),
    (
        "environment named checks",
        GOOD.replace("  dev:\n", "  checks:\n") + "checks: {branches: [main]}\n",
        "s.yaml:9:5: environments.checks: an environment may not be named checks when the "
        "spec has checks: the stack <service>-checks holds the pull-request checks",
    ),
    (
        "checks without branches",
        GOOD + "checks: {events: [pull-request-created]}\n",
        "s.yaml:13:9: checks.branches: required field is missing",
    ),
    (
        "checks push event",
        GOOD + "checks: {branches: [main], events: [push]}\n",
        "s.yaml:13:37: checks.events[0]: must be one of pull-request-created, "
        'pull-request-updated, pull-request-reopened; got "push"',
    ),
    (
        "checks reopened on bitbucket",
        GOOD + "checks: {branches: [main], events: [pull-request-reopened]}\n",
        "s.yaml:13:37: checks.events[0]: pull-request-reopened applies to GitHub only "
        "(Bitbucket does not send it); use pull-request-created, pull-request-updated",
    ),
    (
        "notification topic shape",
        GOOD + "notifications: {topic: 'arn:aws:sqs:eu-west-1:111122223333:q'}\n",
        "s.yaml:13:24: notifications.topic: must be the ARN of an SNS topic "
        '(arn:aws:sns:<region>:<account>:<topic-name>); got "arn:aws:sqs:eu-west-1:111122223333:q"',
    ),
    (
        "bad e-mail",
        GOOD + "notifications: {emails: [team-at-example.com]}\n",
        "s.yaml:13:26: notifications.emails[0]: must be an e-mail address (name@example.com); "
        'got "team-at-example.com"',
    ),
    (
        "e-mail twice",
        GOOD + "notifications: {emails: [a@example.com, a@example.com]}\n",
        's.yaml:13:41: notifications.emails[1]: lists "a@example.com" twice',
    ),
    (
        "unknown notification event",
        GOOD + "notifications: {events: [exploded]}\n",
        "s.yaml:13:26: notifications.events[0]: must be one of failed, approval-needed, "
        'succeeded, started; got "exploded"',
    ),
    (
        "topic and emails",
        GOOD
        + "notifications:\n  topic: arn:aws:sns:eu-west-1:111122223333:t\n"
        + "  emails: [a@example.com]\n",
        "s.yaml:15:11: notifications.emails: subscribes to the topic the stack creates; with "
        "notifications.topic, subscribe on that topic instead (or leave topic out)",
    ),
    (
        "environment variable like a secret",
        GOOD.replace("    events: [push]\n", "    events: [push]\n    variables: {API_TOKEN: x}\n"),
        "s.yaml:11:28: environments.dev.variables.API_TOKEN: looks like a secret: plain "
        "variables are visible in the template and the CodeBuild console; move it to "
        "environments.dev.secrets (ssm:/... or secretsmanager:...)",
    ),
    (
        "generated variable name",
        GOOD.replace("timeout: 60", "variables: {PIPELINE_ENV: x}"),
        "s.yaml:6:29: build.variables.PIPELINE_ENV: is set by the generator on every build "
        "(PIPELINE_ENV, STACK_NAME); choose another name",
    ),
    (
        "environment variable that is a build secret",
        GOOD.replace("timeout: 60", "secrets: {DB: 'ssm:/db'}").replace(
            "    events: [push]\n", "    events: [push]\n    variables: {DB: x}\n"
        ),
        "s.yaml:11:21: environments.dev.variables.DB: is a secret in build.secrets; override "
        "it in this environment's secrets",
    ),
    (
        "deprecated image",
        GOOD.replace("timeout: 60", "image: aws/codebuild/standard:4.0"),
        's.yaml:6:10: build.image: "aws/codebuild/standard:4.0" is deprecated on March 31, 2023: '
        "use "
        "aws/codebuild/standard:7.0",
    ),
    (
        "not an image",
        GOOD.replace("timeout: 60", "image: 'not an image at all!!'"),
        's.yaml:6:10: build.image: "not an image at all!!" must be a curated CodeBuild image '
        "(aws/codebuild/...), a public image (public.ecr.aws, docker.io, ghcr.io, quay.io, "
        "mcr.microsoft.com, or a Docker Hub name like node:20), or a private ECR image "
        "<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:digest]",
    ),
    (
        "windows image",
        GOOD.replace("timeout: 60", "image: aws/codebuild/windows-base:2019-3.0"),
        's.yaml:6:10: build.image: "aws/codebuild/windows-base:2019-3.0" is a Windows, Lambda or '
        "EC2 "
        "image: this generator builds in Linux containers (arch x86_64 or arm64)",
    ),
    (
        "arch mismatch",
        GOOD.replace("timeout: 60", "image: aws/codebuild/standard:7.0\n  arch: arm64"),
        "s.yaml:7:9: build.arch: is arm64, but aws/codebuild/standard:7.0 is an x86_64 image; for "
        "arm64 "
        "use one of aws/codebuild/amazonlinux-aarch64-standard:3.0, "
        "aws/codebuild/amazonlinux-aarch64-standard:4.0",
    ),
    (
        "docker cache without privileged",
        GOOD.replace("timeout: 60", "cache: local"),
        "s.yaml:6:10: build.cache: local includes the Docker layer cache, which runs only in "
        "privileged mode: set build.privileged: true, or use cache: s3",
    ),
    (
        "docker layer cache on arm64",
        GOOD.replace(
            "timeout: 60",
            "cache: local\n  privileged: true\n  arch: arm64\n"
            "  image: aws/codebuild/amazonlinux-aarch64-standard:3.0",
        ),
        "s.yaml:6:10: build.cache: local includes the Docker layer cache, which CodeBuild "
        "supports only on LINUX_CONTAINER (x86_64), not on arm64 (ARM_CONTAINER): use cache: s3",
    ),
    (
        "local cache in a vpc",
        GOOD.replace(
            "timeout: 60",
            "cache: local\n  privileged: true\n  vpc: {vpc: vpc-0a1b2c3d, "
            "subnets: [subnet-0a1b2c3d], security_groups: [sg-0a1b2c3d]}",
        ),
        "s.yaml:6:10: build.cache: local caching is not supported for builds in a VPC; use cache: "
        "s3",
    ),
    (
        "bad subnet id",
        GOOD.replace(
            "timeout: 60",
            "vpc: {vpc: vpc-0a1b2c3d, subnets: [subnet-xyz], security_groups: [sg-0a1b2c3d]}",
        ),
        "s.yaml:6:38: build.vpc.subnets[0]: must match ^subnet-([0-9a-f]{8}|[0-9a-f]{17})$; got "
        '"subnet-xyz"',
    ),
    (
        "bad security group id",
        GOOD.replace(
            "timeout: 60",
            "vpc: {vpc: vpc-0a1b2c3d, subnets: [subnet-0a1b2c3d], security_groups: [sg-1]}",
        ),
        "s.yaml:6:74: build.vpc.security_groups[0]: must match ^sg-([0-9a-f]{8}|[0-9a-f]{17})$; "
        'got "sg-1"',
    ),
    (
        "certificate not pem",
        GOOD.replace("timeout: 60", "certificate: s3://acme-certs/root.der"),
        "s.yaml:6:16: build.certificate: must be s3://<bucket>/<key> ending in .pem, .crt or "
        ".cer (a PEM-encoded certificate) or .zip (a zip holding one); got "
        '"s3://acme-certs/root.der"',
    ),
    (
        "absolute path glob",
        GOOD.replace("    events: [push]\n", "    events: [push]\n    paths: [/services/**]\n"),
        "s.yaml:11:13: environments.dev.paths[0]: must be a path glob relative to the repository "
        "root "
        "(letters, digits, _ . - @ + /, * within a folder, ** across folders, ? one "
        'character); got "/services/**"',
    ),
    (
        "override of an unknown logical id",
        GOOD + "overrides: {BuildProjekt: {Properties: {ConcurrentBuildLimit: 2}}}\n",
        "s.yaml:13:27: overrides.BuildProjekt: is not a resource of any stack; its logical IDs: "
        "ArtifactBucket, ArtifactBucketPolicy, BridgeLogGroup, BridgeProject, BridgeRole, "
        "BuildLogGroup, BuildProject, BuildRole, Pipeline, PipelineRole, SourceBucket, "
        "SourceBucketPolicy, SourceEventRole, SourceEventRule",
    ),
    (
        "override of a role policy",
        GOOD + "overrides: {BuildRole: {Properties: {Policies: []}}}\n",
        "s.yaml:13:24: overrides.BuildRole: is a AWS::IAM::Role: roles and policies are never "
        "overridden; permissions come from spec fields (or a change to the generator), so "
        "they stay proven",
    ),
    (
        "override of a project's role",
        GOOD + "overrides: {BuildProject: {Properties: {ServiceRole: arn:aws:iam::1:role/x}}}\n",
        "s.yaml:13:54: overrides.BuildProject.Properties.ServiceRole: chooses permissions: roles "
        "and "
        "policies are never overridden; use a spec field (certificate, cache, vpc, secrets, "
        "...) that grants what it needs",
    ),
    (
        "override that switches pull-request comment approval off",
        GOOD
        + "checks:\n  branches: [main]\n  secrets: {SONAR: 'ssm:/sonar'}\n"
        + "overrides:\n  CheckProject:\n    Properties:\n      Triggers:\n"
        + "        PullRequestBuildPolicy: {RequiresCommentApproval: DISABLED}\n",
        "s.yaml:20:9: overrides.CheckProject.Properties.Triggers: carries the stack's safety "
        "and is never overridden; set it with environments.<env>.branch/events/paths or "
        "checks.branches/events/approval/actors",
    ),
    (
        "override that replaces the filter groups",
        GOOD.replace(
            "    events: [push]\n",
            "    events: [push]\n    overrides:\n      BridgeProject:\n        Properties:\n"
            "          Triggers: {FilterGroups: [[{Type: EVENT, Pattern: PUSH}]]}\n",
        ),
        "s.yaml:14:21: environments.dev.overrides.BridgeProject.Properties.Triggers: carries "
        "the stack's safety and is never overridden; set it with "
        "environments.<env>.branch/events/paths or checks.branches/events/approval/actors",
    ),
    (
        "override that removes the environment variables",
        GOOD + "overrides: {BuildProject: {Properties: {Environment: null}}}\n",
        "s.yaml:13:54: overrides.BuildProject.Properties.Environment: carries the stack's "
        "safety and is never overridden; set it with build.variables/secrets, "
        "environments.<env>.variables/secrets or checks.secrets",
    ),
    (
        "override of the image pull credentials",
        GOOD
        + "overrides: {BuildProject: {Properties: {Environment: "
        + "{ImagePullCredentialsType: SERVICE_ROLE}}}}\n",
        "s.yaml:13:81: overrides.BuildProject.Properties.Environment.ImagePullCredentialsType: "
        "carries the stack's safety and is never overridden; set it with build.image",
    ),
    (
        "override of a bucket's encryption",
        GOOD + "overrides: {ArtifactBucket: {Properties: {BucketEncryption: null}}}\n",
        "s.yaml:13:61: overrides.ArtifactBucket.Properties.BucketEncryption: carries the "
        "stack's safety and is never overridden; set it with kms_key",
    ),
    (
        "override that changes the type",
        GOOD + "overrides: {SourceBucket: {Type: AWS::S3::AccessPoint}}\n",
        "s.yaml:13:34: overrides.SourceBucket.Type: cannot change the resource type "
        "(AWS::S3::Bucket)",
    ),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_error_message(name: str, text: str, expected: str) -> None:
    assert expected in errors_of(text)


def test_strict_defaults_to_a_year_of_logs() -> None:
    text = GOOD + "hardening: strict\n" + KMS + ACCESS_LOGS
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    assert spec.logs.retention == 30 and spec.log_retention == 365


def test_every_problem_is_reported_sorted_by_position() -> None:
    text = GOOD.replace("timeout: 60", "timeout: 1\n  compute: huge").replace(
        "service: orders-api", "service: X"
    )
    messages = errors_of(text)
    assert [m.split(":")[1] for m in messages] == ["1", "6", "7"]


def test_type_errors_and_aws_rules_are_reported_in_one_run() -> None:
    text = (
        GOOD.replace("timeout: 60", "timeout: forever")
        .replace("[push]", "[push, pull-request-reopened]")
        .replace("https://bitbucket", "http://bitbucket")
    )
    messages = errors_of(text)
    assert [m.split(": ")[1] for m in messages] == [
        "repository.url",
        "build.timeout",
        "environments.dev.events[1]",
    ]


def test_an_empty_deploy_mapping_names_both_targets() -> None:
    ecs = "      ecs: {cluster: dev, service: orders-api, task_roles: []}\n"
    text = GOOD.replace(ecs, "").replace("    deploy:\n", "    deploy: {}\n")
    assert (
        "s.yaml:11:13: environments.dev.deploy: must name exactly one target, ecs or s3; "
        "got none" in errors_of(text)
    )


def test_yaml_syntax_error_gives_the_parser_position() -> None:
    # libyaml and PyYAML's pure parser word the problem differently; the position holds.
    (message,) = errors_of(GOOD.replace("events: [push]", "events: [push"))
    assert message.startswith("s.yaml:11:11: YAML syntax error: ")
    assert "expected ',' or ']'" in message


def test_pull_requests_into_prod_are_allowed_with_actors() -> None:
    text = GOOD.replace("  dev:", "  prod:").replace(
        "[push]", "[push, pull-request-created]\n    actors: ['{a1b2c3}', '557058:1234']"
    )
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    assert spec.environments["prod"].actors == ["{a1b2c3}", "557058:1234"]


def test_pull_requests_into_prod_are_allowed_when_not_production() -> None:
    text = GOOD.replace("  dev:", "  non-prod:").replace(
        "[push]", "[pull-request-created]\n    production: false"
    )
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    assert spec.environments["non-prod"].production is False


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ssm:db-password", "db-password"),  # a top-level name is valid without "/"
        ("ssm:/orders/db", "/orders/db"),
    ],
)
def test_parameter_names_that_parameter_store_accepts(value: str, expected: str) -> None:
    text = GOOD.replace("timeout: 60", f"secrets: {{DB: '{value}'}}")
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    assert spec.build.secrets["DB"] == value and value.endswith(expected)


WARNINGS = [
    (
        GOOD.replace("timeout: 60", "image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/ci:1"),
        "s.yaml:6:10: build.image: warning: the image is in eu-west-1; builds in another "
        "Region can fail with BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE (CodeBuild troubleshooting: "
        "use an Amazon ECR image in the same AWS Region): deploy these stacks in eu-west-1, or "
        "copy the image to the Region you deploy in",
    ),
    (
        GOOD.replace("[push]", "[pull-request-merged]"),
        "s.yaml:10:14: environments.dev.events[0]: warning: Bitbucket sends pull-request-merged "
        'only when the repository webhook that CodeBuild creates has the "Pull Request: Merged" '
        "trigger: after the first deploy, tick it in Repository settings > Webhooks",
    ),
    (
        GOOD.replace("[push]", "[push, pull-request-created]"),
        "s.yaml:10:13: environments.dev.events: warning: pull-request builds and pushes write the "
        "same source.zip: what deploys is the last upload, whichever event made it; validate "
        "pull requests without deploying in a separate environment or pipeline",
    ),
]


@pytest.mark.parametrize("text, expected", WARNINGS)
def test_warnings_name_what_a_valid_spec_will_not_do(text: str, expected: str) -> None:
    loaded = load_spec_text(text, "s.yaml")
    validate_spec(loaded)
    assert expected in [str(w) for w in spec_warnings(loaded)]


ROLES = "task_roles: [orders-api-task, orders-api-exec]"
PUSHES = GOOD.replace("task_roles: []", ROLES).replace("timeout: 60", "ecr: [orders-api]")
CHECKS = "checks: {branches: [develop]}\n"
PROD = "  prod:\n    branch: main\n    deploy: {s3: {bucket: orders-site}}\n"

TRAP_WARNINGS = [
    (
        GOOD,
        "s.yaml:12:60: environments.dev.deploy.ecs.task_roles: warning: is empty, so the "
        "pipeline may pass no role to ECS: a task definition with a task role or an execution "
        "role (Fargate needs an execution role to pull from a private ECR repository or to "
        "send awslogs) fails its first deploy on iam:PassRole; list both roles by name, e.g. "
        "[<service>-task, <service>-exec]",
    ),
    (
        PUSHES + CHECKS,
        "s.yaml:13:9: checks: warning: pull-request checks run build.buildspec, and this "
        "spec's builds push to ECR (build.ecr); the check project may not push, so a buildspec "
        "that logs in to ECR or pushes fails every check: skip the ECR login and push when "
        "PIPELINE_ENV is checks (the starter buildspec of init does), or set checks.buildspec "
        "to one that only builds and tests",
    ),
    (
        PUSHES + PROD,
        "s.yaml:6:8: build.ecr: warning: is pushed to by the builds of 2 environments (dev, "
        "prod): a tag one build pushes can be overwritten by another environment's build while "
        "a deployed imagedefinitions.json still names it; tag images with the commit and make "
        "the repositories' tags immutable (aws ecr put-image-tag-mutability --repository-name "
        "<repo> --image-tag-mutability IMMUTABLE)",
    ),
    (
        GOOD.replace("timeout: 60", f"secret_keys: [{SECRET_KEY}]"),
        "s.yaml:6:16: build.secret_keys: warning: no role reads a secret (build.secrets, "
        "environments.<env>.secrets and checks.secrets are empty), so these keys are granted "
        "to none; list the secrets they encrypt, or leave secret_keys out",
    ),
]


@pytest.mark.parametrize("text, expected", TRAP_WARNINGS)
def test_warnings_on_what_builds_but_cannot_work(text: str, expected: str) -> None:
    loaded = load_spec_text(text, "s.yaml")
    validate_spec(loaded)
    assert expected in [str(w) for w in spec_warnings(loaded)]


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace("task_roles: []", ROLES),
        PUSHES,  # one environment: no other build overwrites its tags
        PUSHES + CHECKS.replace("}", ", buildspec: checks.yml}"),
        GOOD.replace("task_roles: []", ROLES) + CHECKS,  # checks that push nothing
    ],
)
def test_specs_without_a_trap_have_no_warnings(text: str) -> None:
    loaded = load_spec_text(text, "s.yaml")
    validate_spec(loaded)
    assert spec_warnings(loaded) == []


# --- many accounts (delivery, environments.<env>.account) ----------------------------

DELIVERY = 'delivery: {tools_account: "111111111111"}\n'
IN_ACCOUNT = '    branch: develop\n    account: "222222222222"\n'


def _multi(text: str) -> str:
    return text.replace("    branch: develop\n", IN_ACCOUNT)


ACCOUNT_CASES = [
    (
        "account without delivery",
        _multi(GOOD),
        "s.yaml:10:14: environments.dev.account: needs delivery.tools_account: an "
        "environment in another account is deployed from the pipelines' tools account "
        "through a role there; add delivery: {tools_account: ...}, or leave account out to "
        "deploy in the stack's account",
    ),
    (
        "account not 12 digits",
        DELIVERY
        + GOOD.replace("    branch: develop\n", '    branch: develop\n    account: "2222"\n'),
        'environments.dev.account: must be a 12-digit AWS account id, in quotes ("111122223333"); '
        'got "2222"',
    ),
    (
        "unquoted account",
        DELIVERY
        + GOOD.replace("    branch: develop\n", "    branch: develop\n    account: 22222222222\n"),
        'environments.dev.account: must be a 12-digit AWS account id in quotes ("022222222222"): '
        "YAML reads an unquoted one as a number",
    ),
    (
        "account is the tools account",
        DELIVERY
        + GOOD.replace(
            "    branch: develop\n", '    branch: develop\n    account: "111111111111"\n'
        ),
        "environments.dev.account: is the tools account 111111111111: leave account out (an "
        "environment without account deploys in the tools account with the pipeline's own "
        "role, and gets no cross-account role); an account here means a target account",
    ),
    (
        "organizational units without stackset",
        'delivery: {tools_account: "111111111111", organizational_units: [ou-ab12-34cd5678]}\n'
        + _multi(GOOD),
        "delivery.organizational_units: is used only with target_roles: stackset (a "
        "service-managed StackSet targets OUs); with target_roles: stacks, deploy "
        "<service>-targets in each account",
    ),
    (
        "stackset without organizational units",
        'delivery: {tools_account: "111111111111", target_roles: stackset}\n' + _multi(GOOD),
        "delivery.organizational_units: is required with target_roles: stackset",
    ),
    (
        "bad OU id",
        'delivery: {tools_account: "111111111111", target_roles: stackset, '
        "organizational_units: [r-ab12]}\n" + _multi(GOOD),
        "delivery.organizational_units[0]: must be an organizational unit id",
    ),
    (
        "environment named targets",
        DELIVERY + _multi(GOOD).replace("  dev:\n", "  targets:\n"),
        "environments.targets: an environment may not be named targets when the spec has delivery",
    ),
    (
        "kms key outside the tools account",
        DELIVERY + KMS + _multi(GOOD),
        "kms_key: is in account 111122223333, not the tools account 111111111111",
    ),
    (
        "unknown delivery key",
        'delivery: {tools_account: "111111111111", tools_acount: "1"}\n' + _multi(GOOD),
        "delivery.tools_acount: unknown field",
    ),
]


@pytest.mark.parametrize("name, text, expected", ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES])
def test_account_error_message(name: str, text: str, expected: str) -> None:
    found = errors_of(text)
    assert any(expected in error for error in found), found


def test_a_multi_account_spec_is_valid() -> None:
    spec = validate_spec(load_spec_text(DELIVERY + _multi(GOOD), "s.yaml"))
    assert spec.target_environments == ["dev"]
    assert spec.delivery is not None and spec.delivery.target_roles == "stacks"


# --- promotion (after, gates, window, regions) ---------------------------------------

CHAIN = (
    GOOD
    + """\
  staging:
    after: dev
    deploy:
      ecs: {cluster: staging, service: orders-api, task_roles: []}
"""
)


def _staging(extra: str) -> str:
    return CHAIN.replace("    after: dev\n", "    after: dev\n" + extra)


PROMOTION_CASES = [
    (
        "after an unknown environment",
        CHAIN.replace("after: dev", "after: devv"),
        'environments.staging.after: unknown environment "devv" (did you mean "dev"?); '
        "allowed: dev",
    ),
    (
        "after itself",
        CHAIN.replace("after: dev", "after: staging"),
        "environments.staging.after: names the environment itself",
    ),
    (
        "after with a branch",
        _staging("    branch: main\n"),
        "environments.staging.branch: cannot be set with after: staging deploys the build of "
        "dev's pipeline and is never started or built on its own, so branch would not apply; "
        "set it on the first environment of the chain",
    ),
    ("after with events", _staging("    events: [push]\n"), "environments.staging.events: cannot"),
    ("after with paths", _staging("    paths: [src/**]\n"), "environments.staging.paths: cannot"),
    (
        "after with variables",
        _staging("    variables: {A: b}\n"),
        "environments.staging.variables: cannot",
    ),
    (
        "after with secrets",
        _staging("    secrets: {A: ssm:/a}\n"),
        "environments.staging.secrets: cannot",
    ),
    (
        "two environments after one",
        CHAIN + "  qa:\n    after: dev\n    deploy:\n      ecs: {cluster: qa, service: orders-api, "
        "task_roles: []}\n",
        "environments.qa.after: dev is already followed by staging",
    ),
    (
        "a cycle",
        CHAIN.replace("    branch: develop\n", "    after: staging\n"),
        "environments.dev.after: makes a cycle (dev -> staging -> dev)",
    ),
    (
        "neither branch nor after",
        GOOD.replace("    branch: develop\n", ""),
        "environments.dev.branch: is required",
    ),
    (
        "six alarms",
        _staging("    gates: {alarms: [a, b, c, d, e, f], bake: 10}\n"),
        "environments.staging.gates.alarms: ",
    ),
    (
        "bake of zero minutes",
        _staging("    gates: {alarms: [a], bake: 0}\n"),
        "environments.staging.gates.bake: ",
    ),
    (
        "a window with five fields",
        _staging('    window: "* 8-16 ? * MON-THU"\n'),
        "environments.staging.window.cron: must be a DeploymentWindow Cron",
    ),
    (
        "a window with both day fields",
        _staging('    window: "* * 8-16 * * MON-THU"\n'),
        "environments.staging.window.cron: must be a DeploymentWindow Cron",
    ),
    (
        "a window time zone",
        _staging('    window: {cron: "* * 8-16 ? * MON-THU", timezone: "Berlin time"}\n'),
        "environments.staging.window.timezone: must be a time zone",
    ),
    (
        "a region twice",
        _staging("    regions: [eu-west-1, eu-west-1]\n"),
        'environments.staging.regions[1]: lists "eu-west-1" twice',
    ),
    (
        "not a region",
        _staging("    regions: [europe]\n"),
        "environments.staging.regions[0]: must be an AWS Region code",
    ),
    (
        "regions across accounts without a multi-Region key",
        DELIVERY + _staging('    account: "222222222222"\n    regions: [eu-west-1, us-east-1]\n'),
        "environments.staging.regions: needs kms_key to be a multi-Region key",
    ),
    (
        "alarms times regions over five rules",
        _staging("    regions: [eu-west-1, us-east-1]\n    gates: {alarms: [a, b, c], bake: 5}\n"),
        "environments.staging.gates.alarms: 3 alarms in each of 2 Regions make 6 rules",
    ),
]


PROMOTION_CASES.append(
    (
        "regions under strict",
        _staging("    regions: [eu-west-1]\n") + "hardening: strict\n" + KMS + ACCESS_LOGS,
        "environments.staging.regions: is refused under hardening: strict",
    )
)


@pytest.mark.parametrize(
    "name, text, expected", PROMOTION_CASES, ids=[c[0] for c in PROMOTION_CASES]
)
def test_promotion_error_message(name: str, text: str, expected: str) -> None:
    found = errors_of(text)
    assert any(expected in error for error in found), found


def test_a_chain_with_gates_window_and_regions_is_valid() -> None:
    text = _staging(
        "    approval: true\n"
        "    regions: [eu-west-1, us-east-1]\n"
        '    window: {cron: "0 0 9-17 ? * MON-FRI *", timezone: UTC+05:30}\n'
        "    gates: {alarms: [orders-5xx], bake: 30}\n"
    )
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    assert spec.stack_environments == ["dev"]
    assert spec.chain("dev") == ["dev", "staging"] and spec.head_of("staging") == "dev"
