"""The permission contract: for every runtime operation a stack's roles perform, the
IAM actions AWS documents for the service role, the resource each applies to, the
condition keys AWS puts in the request, and the page that says so.

`generator/stack/operations.py` says which operations each role of a stack performs;
`tests/test_permission_contract.py` resolves every emitted role against this table
with an IAM evaluator: each documented (action, resource) is allowed, and nothing
beyond the table is granted. Where we grant less than a page lists, `withheld` says
which action and why.

Resource kinds (resolved per stack by the test):
  log-streams        the streams of the role's own log group
  source-object      SourceBucket/source.zip          source-bucket    SourceBucket
  artifact-objects   ArtifactBucket/*                 artifact-bucket  ArtifactBucket
  report-groups      report-group/<build project>-*   build-project    BuildProject
  pipeline           this stack's pipeline
  ecs-service        the spec's cluster/service       task-definitions task-definition/*
  task-roles         the spec's task_roles            any              "*"
  deploy-objects     the deploy bucket's objects (or its one key)   deploy-bucket
  connection         repository.connection            kms-key          kms_key
  ssm-parameters, secrets, ecr-repositories: the spec's entries, each
  image-repository   the private ECR build image's repository
  certificate-object build.certificate's object    cache-objects  ArtifactBucket/cache/*
  secret-keys        build.secret_keys
  network-interfaces network-interface/*  vpc-subnets, vpc-security-groups: build.vpc's
  regional-bucket / regional-objects / regional-key: the artifact store of one of
                     `regions` (pipeline-artifacts-<account>-<region>) and its key
  alarms             the env's gates.alarms, in the account and Region of the deploy
  deploy-role        the env's <service>-<env>-deploy role in its target account
  artifact-key       the artifact store's key (kms_key, or the delivery stack's key)
  tools-artifact-objects / tools-artifact-bucket: the named artifact bucket of a
                     cross-account stack, seen from the target account
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """One documented permission: action on a resource kind, with the condition keys
    AWS sets on that request (values may name a resource kind in braces)."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Operation:
    name: str
    source: str
    needs: tuple[Need, ...]
    withheld: tuple[tuple[str, str], ...] = ()  # (documented action, why we do not grant it)


def _needs(resource: str, *actions: str, **context: str) -> tuple[Need, ...]:
    keys = tuple(sorted((k.replace("__", ":").replace("_", "-"), v) for k, v in context.items()))
    return tuple(Need(action, resource, keys) for action in actions)


CODEBUILD_ROLE = (
    "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html"
)
CODEPIPELINE_ROLE = (
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/how-to-custom-role.html"
)
_CONNECTIONS = "https://docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html"
_KMS_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html"
_KMS_CONTEXT = {"kms__ViaService": "s3.{region}.amazonaws.com"}

# CodePipeline's artifact store (user guide, how-to-custom-role): the bucket and its objects.
ARTIFACT_STORE_BUCKET_ACTIONS = (
    "s3:GetBucketVersioning",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
)
ARTIFACT_STORE_OBJECT_ACTIONS = (
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObjectTagging",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
)

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in [
        Operation(
            "codebuild-logs",
            CODEBUILD_ROLE,
            _needs("log-streams", "logs:CreateLogStream", "logs:PutLogEvents"),
            withheld=(("logs:CreateLogGroup", "the stack creates the project's log group itself"),),
        ),
        Operation(
            "bridge-upload",
            "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html",
            _needs("source-object", "s3:PutObject"),
        ),
        Operation(
            "codeconnections",
            _CONNECTIONS,
            _needs(
                "connection", "codeconnections:GetConnectionToken", "codeconnections:GetConnection"
            ),
        ),
        Operation(
            # A connection created before the rename keeps its codestar-connections ARN.
            "codestar-connections",
            _CONNECTIONS,
            _needs(
                "connection",
                "codestar-connections:GetConnectionToken",
                "codestar-connections:GetConnection",
            ),
        ),
        Operation(
            "codebuild-artifacts",
            CODEBUILD_ROLE,
            _needs("artifact-objects", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject")
            + _needs("artifact-bucket", "s3:GetBucketAcl", "s3:GetBucketLocation"),
        ),
        Operation(
            "codebuild-reports",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/test-permissions.html",
            _needs(
                "report-groups",
                "codebuild:CreateReportGroup",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
                "codebuild:BatchPutTestCases",
                "codebuild:BatchPutCodeCoverages",
            ),
        ),
        Operation(
            "parameter-store",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html",
            _needs("ssm-parameters", "ssm:GetParameters"),
        ),
        Operation(
            "secrets-manager",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html",
            _needs("secrets", "secretsmanager:GetSecretValue"),
        ),
        Operation(
            "kms-parameter-store",
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html",
            _needs("secret-keys", "kms:Decrypt", kms__ViaService="ssm.{region}.amazonaws.com"),
        ),
        Operation(
            "kms-secrets-manager",
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
            _needs(
                "secret-keys",
                "kms:Decrypt",
                kms__ViaService="secretsmanager.{region}.amazonaws.com",
            ),
        ),
        Operation(
            "ecr-push",
            "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html",
            _needs("any", "ecr:GetAuthorizationToken")
            + _needs(
                "ecr-repositories",
                "ecr:BatchCheckLayerAvailability",
                "ecr:CompleteLayerUpload",
                "ecr:InitiateLayerUpload",
                "ecr:PutImage",
                "ecr:UploadLayerPart",
            ),
        ),
        Operation(
            "ecr-pull",
            "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-pull.html",
            # Pulling the pushed image back (docker build --cache-from, same-repo base images).
            _needs("ecr-repositories", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
        ),
        Operation(
            "s3-source-action",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-S3.html",
            _needs(
                "source-object",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:GetObjectTagging",
                "s3:GetObjectVersionTagging",
            )
            + _needs(
                "source-bucket", "s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"
            ),
        ),
        Operation(
            # Beyond the S3 source action's list: a missing source.zip (the run a new pipeline
            # starts at creation) then fails with NoSuchKey, not AccessDenied. AWS documents
            # the 404 only for s3:ListBucket "on the bucket" and says nothing of an s3:prefix
            # condition, so the grant is unconditional on a bucket that holds one key.
            "source-missing-is-not-found",
            "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html",
            _needs("source-bucket", "s3:ListBucket"),
        ),
        Operation(
            "artifact-store",
            CODEPIPELINE_ROLE,
            _needs("artifact-bucket", *ARTIFACT_STORE_BUCKET_ACTIONS)
            + _needs("artifact-objects", *ARTIFACT_STORE_OBJECT_ACTIONS),
        ),
        Operation(
            "codebuild-action",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html",
            _needs("build-project", "codebuild:StartBuild", "codebuild:BatchGetBuilds"),
            withheld=(
                ("codebuild:StartBuildBatch", "the build action does not set BatchEnabled"),
                ("codebuild:BatchGetBuildBatches", "the build action does not set BatchEnabled"),
            ),
        ),
        Operation(
            "ecs-deploy",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html",
            _needs("any", "ecs:DescribeTaskDefinition")
            + _needs("task-definitions", "ecs:RegisterTaskDefinition")
            + _needs("ecs-service", "ecs:DescribeServices", "ecs:UpdateService")
            + _needs(
                "task-definitions", "ecs:TagResource", ecs__CreateAction="RegisterTaskDefinition"
            )
            + _needs("task-roles", "iam:PassRole", iam__PassedToService="ecs-tasks.amazonaws.com"),
            withheld=(
                (
                    "iam:PassRole to ecs.amazonaws.com",
                    "the page lists both principals; the task and execution roles a task "
                    "definition names are passed to ecs-tasks.amazonaws.com only",
                ),
            ),
        ),
        Operation(
            "s3-deploy",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-S3Deploy.html",
            _needs("deploy-objects", "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl")
            + _needs(
                "deploy-bucket", "s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"
            ),
            withheld=(
                (
                    "s3:GetObjectTagging, s3:GetObjectVersionTagging, s3:PutObjectTagging",
                    "needed only when the deployed objects have tags; build output has none",
                ),
            ),
        ),
        Operation(
            # The pipeline role assumes an action's role (ActionDeclaration roleArn: "the
            # pipeline role is used to assume roles for actions with an actionRoleArn").
            "assume-deploy-role",
            "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html",
            _needs("deploy-role", "sts:AssumeRole"),
        ),
        Operation(
            # A deploy action run as a role in another account reads its input artifact
            # from the tools account's store with that role: the object, and the key through
            # S3 for this bucket (CodePipeline user guide, pipelines-create-cross-account;
            # S3 user guide, UsingKMSEncryption: reading an SSE-KMS object needs kms:Decrypt).
            "read-cross-account-artifacts",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html",
            _needs("tools-artifact-objects", "s3:GetObject", "s3:GetObjectVersion")
            + _needs(
                "artifact-key",
                "kms:Decrypt",
                kms__ViaService="s3.{region}.amazonaws.com",
                kms__EncryptionContext__aws__s3__arn="{tools-artifact-bucket}",
            ),
            withheld=(
                (
                    "s3:Put*, s3:ListBucket, kms:Encrypt, kms:GenerateDataKey*, kms:ReEncrypt*",
                    "the tutorial's role also feeds later actions; ECS and S3 deploy actions "
                    "write no output artifact and read the one object CodePipeline names",
                ),
            ),
        ),
        Operation(
            # The CloudWatchAlarm rule of a gate reads its alarms' state as the role that
            # evaluates it. The rule reference documents no permission list; reading an
            # alarm's state is DescribeAlarms (Service Authorization Reference, CloudWatch).
            "watch-alarms",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html",
            _needs("alarms", "cloudwatch:DescribeAlarms"),
        ),
        Operation(
            # A Region's artifact store (actions-create-cross-region): the pipeline role
            # uses it as it uses its own store (how-to-custom-role, artifact store).
            "regional-artifact-store",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html",
            _needs("regional-bucket", *ARTIFACT_STORE_BUCKET_ACTIONS)
            + _needs("regional-objects", *ARTIFACT_STORE_OBJECT_ACTIONS),
        ),
        Operation(
            "kms-regional-artifact-store",
            _KMS_S3,
            _needs(
                "regional-key",
                "kms:Decrypt",
                "kms:GenerateDataKey",
                kms__EncryptionContext__aws__s3__arn="{regional-bucket}",
                **_KMS_CONTEXT,
            ),
        ),
        Operation(
            "read-regional-artifacts",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html",
            _needs("regional-objects", "s3:GetObject", "s3:GetObjectVersion")
            + _needs(
                "regional-key",
                "kms:Decrypt",
                kms__EncryptionContext__aws__s3__arn="{regional-bucket}",
                **_KMS_CONTEXT,
            ),
        ),
        Operation(
            "private-image-pull",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/sample-ecr.html",
            _needs("any", "ecr:GetAuthorizationToken")
            + _needs(
                "image-repository",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ),
        ),
        Operation(
            "build-certificate",
            "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_ProjectEnvironment.html",
            _needs("certificate-object", "s3:GetObject"),
        ),
        Operation(
            "vpc-network-interfaces",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/"
            "auth-and-access-control-iam-identity-based-access-control.html",
            _needs(
                "any",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            )
            + _needs(
                "network-interfaces", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"
            )
            + _needs("vpc-subnets", "ec2:CreateNetworkInterface")
            + _needs("vpc-security-groups", "ec2:CreateNetworkInterface")
            + _needs(
                "network-interfaces",
                "ec2:CreateNetworkInterfacePermission",
                ec2__AuthorizedService="codebuild.amazonaws.com",
                ec2__Subnet="{subnet}",
            ),
        ),
        Operation(
            # The S3 cache lives under cache/ in the artifact bucket, which the build role
            # already reads and writes (codebuild-artifacts): no grant of its own.
            "s3-build-cache",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/caching-s3.html",
            _needs("cache-objects", "s3:GetObject", "s3:PutObject"),
        ),
        Operation(
            "start-pipeline",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/create-cloudtrail-S3-source-cfn.html",
            _needs("pipeline", "codepipeline:StartPipelineExecution"),
        ),
        Operation(
            "kms-source-bucket",
            _KMS_S3,
            _needs(
                "kms-key",
                "kms:Decrypt",
                "kms:GenerateDataKey",
                kms__EncryptionContext__aws__s3__arn="{source-bucket}",
                **_KMS_CONTEXT,
            ),
        ),
        Operation(
            "kms-artifact-bucket",
            _KMS_S3,
            _needs(
                "artifact-key",
                "kms:Decrypt",
                "kms:GenerateDataKey",
                kms__EncryptionContext__aws__s3__arn="{artifact-bucket}",
                **_KMS_CONTEXT,
            ),
        ),
    ]
}
