"""Intent-level IAM grants and service roles.

Every grant names exact actions (awacs constants, so a typo fails at import) on
ARNs built from this stack's own resources with ${AWS::Partition}. A `"*"`
resource is allowed only for the actions in RESOURCE_WILDCARD_ALLOWLIST.
Actions and resource types checked against the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from awacs import (
    codebuild,
    codeconnections,
    codepipeline,
    codestar_connections,
    ec2,
    ecr,
    ecs,
    kms,
    logs,
    s3,
    secretsmanager,
    ssm,
)
from awacs import iam as iam_actions
from awacs.aws import (
    Action,
    Allow,
    ArnEquals,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from awacs.sts import AssumeRole
from troposphere import AWSHelperFn, GetAtt, Sub, encode_to_dict
from troposphere.codebuild import Project
from troposphere.codepipeline import Pipeline
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup
from troposphere.s3 import Bucket

from ..aws.deployer import ROLE_PATH
from ..aws.enums import ECS_TASKS_PRINCIPAL
from ..aws.iam import RESOURCE_WILDCARD_ALLOWLIST
from ..spec.model import SecretRef

ARN_PREFIX = "arn:${AWS::Partition}:"


def regional_arn(service: str, rest: str, region: str | None = None) -> Sub:
    """arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>, or in the
    named Region (an environment's `regions`)."""
    where = region or "${AWS::Region}"
    return Sub(ARN_PREFIX + service + f":{where}:${{AWS::AccountId}}:" + rest)


def in_regions(service: str, rest: str, regions: Sequence[str] = ()) -> list[Sub]:
    """regional_arn in each of regions, or in the stack's Region when there are none."""
    where: list[str | None] = list(regions) or [None]
    return [regional_arn(service, rest, region) for region in where]


def object_arn(bucket: Bucket, key: str) -> Sub:
    """ARN of `key` (or a pattern like `*`) in this stack's bucket."""
    return Sub("${" + bucket.title + ".Arn}/" + key)


def _allow(actions: Sequence[Action], resources: Sequence[object], **extra: object) -> Statement:
    return Statement(Effect=Allow, Action=list(actions), Resource=list(resources), **extra)


class WildcardNotAllowed(ValueError):
    """A grant asked for Resource "*" on an action outside the allowlist (a bug)."""


def _allow_any_resource(actions: Sequence[Action], **extra: object) -> Statement:
    for action in actions:
        name = action.JSONrepr()
        if name not in RESOURCE_WILDCARD_ALLOWLIST:
            raise WildcardNotAllowed(f"{name} is not allowlisted for Resource '*'")
    return Statement(Effect=Allow, Action=list(actions), Resource=["*"], **extra)


def grant_log_streams(log_group: LogGroup) -> Statement:
    """Write the log streams of one log group (the group itself already exists)."""
    streams = regional_arn("logs", "log-group:${" + log_group.title + "}:log-stream:*")
    return _allow([logs.CreateLogStream, logs.PutLogEvents], [streams])


def grant_put_object(bucket: Bucket, key: str) -> Statement:
    return _allow([s3.PutObject], [object_arn(bucket, key)])


def grant_s3_source(bucket: Bucket, key: str) -> list[Statement]:
    """CodePipeline's S3 source action: the object, its versions and tags; whether the
    bucket is versioned, its ACL and location (CodePipeline user guide, S3 source
    action reference, "Service role permissions"). s3:ListBucket makes S3 answer a
    missing source.zip (the run a new pipeline starts before the first push) with
    NoSuchKey instead of AccessDenied (S3 API reference, GetObject, "Permissions"); the
    bucket holds nothing but that key's versions, so listing it reveals nothing else."""
    return [
        _allow(
            [s3.GetObject, s3.GetObjectVersion, s3.GetObjectTagging, s3.GetObjectVersionTagging],
            [object_arn(bucket, key)],
        ),
        _allow(
            [s3.GetBucketVersioning, s3.GetBucketAcl, s3.GetBucketLocation, s3.ListBucket],
            [GetAtt(bucket, "Arn")],
        ),
    ]


def grant_artifact_read_write(bucket: Bucket) -> Statement:
    """CodeBuild's CODEPIPELINE artifacts: read the input, write the output (CodeBuild
    user guide, "Create a CodeBuild service role")."""
    return _allow([s3.GetObject, s3.GetObjectVersion, s3.PutObject], [object_arn(bucket, "*")])


def grant_artifact_store(bucket: Bucket) -> list[Statement]:
    """CodePipeline's artifact store: the service role policy AWS documents for it
    (CodePipeline user guide, "Manage the CodePipeline service role", default policy:
    bucket versioning, ACL and location; objects read, written, ACL and tags)."""
    return grant_artifact_store_at(GetAtt(bucket, "Arn"), object_arn(bucket, "*"))


def grant_artifact_store_at(bucket_arn: object, objects_arn: object) -> list[Statement]:
    """grant_artifact_store on a bucket by ARN (another Region's store)."""
    return [
        _allow(
            [s3.GetBucketVersioning, s3.GetBucketAcl, s3.GetBucketLocation],
            [bucket_arn],
        ),
        _allow(
            [
                s3.PutObject,
                s3.PutObjectAcl,
                s3.GetObject,
                s3.GetObjectVersion,
                s3.PutObjectTagging,
                s3.GetObjectTagging,
                s3.GetObjectVersionTagging,
            ],
            [objects_arn],
        ),
    ]


def grant_bucket_acl_location(bucket: Bucket) -> Statement:
    """CodeBuild's documented minimum service role reads the artifact bucket's ACL and
    location (CodeBuild user guide, "Create a CodeBuild service role")."""
    return _allow([s3.GetBucketAcl, s3.GetBucketLocation], [GetAtt(bucket, "Arn")])


def grant_reports(project_name: str) -> Statement:
    """A buildspec `reports:` section makes CodeBuild create and fill report groups named
    `<project>-<report>` with the service role (CodeBuild user guide, "Test reports
    permissions"; aws/aws-cdk#7367)."""
    return _allow(
        [
            codebuild.CreateReportGroup,
            codebuild.CreateReport,
            codebuild.UpdateReport,
            codebuild.BatchPutTestCases,
            codebuild.BatchPutCodeCoverages,
        ],
        # The project's name, not a Ref: the project already refers to this role.
        [regional_arn("codebuild", f"report-group/{project_name}-*")],
    )


def grant_use_key(kms_key: object, buckets: Sequence[Bucket]) -> Statement:
    """Read and write objects that S3 encrypts with the stack's customer-managed key in
    these buckets only: the key is usable through S3 (kms:ViaService) and for objects of
    these buckets (S3's encryption context is the object ARN, or the bucket ARN with an
    S3 Bucket Key). KMS developer guide, "kms:ViaService" and "kms:EncryptionContext:";
    S3 user guide, "Using SSE-KMS", "Encryption context"."""
    contexts = [GetAtt(b, "Arn") for b in buckets] + [object_arn(b, "*") for b in buckets]
    return _allow(
        [kms.Decrypt, kms.GenerateDataKey],
        [kms_key],
        Condition=Condition(
            [
                StringEquals("kms:ViaService", Sub("s3.${AWS::Region}.amazonaws.com")),
                StringLike("kms:EncryptionContext:aws:s3:arn", contexts),
            ]
        ),
    )


def grant_use_connection(connection_arn: str) -> Statement:
    """CodeBuild reads the repository through a CodeConnections connection."""
    actions: list[Action]
    if ":codestar-connections:" in connection_arn:
        actions = [codestar_connections.GetConnectionToken, codestar_connections.GetConnection]
    else:
        actions = [codeconnections.GetConnectionToken, codeconnections.GetConnection]
    return _allow(actions, [connection_arn])


def grant_ecr_push(repositories: Sequence[str]) -> list[Statement]:
    """Log in to ECR and push (and pull layers for cache) to the listed repositories."""
    arns = [regional_arn("ecr", f"repository/{name}") for name in repositories]
    push = [
        ecr.BatchCheckLayerAvailability,
        ecr.BatchGetImage,
        ecr.CompleteLayerUpload,
        ecr.GetDownloadUrlForLayer,
        ecr.InitiateLayerUpload,
        ecr.PutImage,
        ecr.UploadLayerPart,
    ]
    return [_allow_any_resource([ecr.GetAuthorizationToken]), _allow(push, arns)]


def grant_pull_image(account: str, region: str, repository: str) -> list[Statement]:
    """Pull the private ECR build image as the service role (ImagePullCredentialsType
    SERVICE_ROLE; CodeBuild user guide, setting-up-service-role, ECRPullPolicy): the
    three pull actions on that one repository, the login token on "*"."""
    arn = Sub(f"arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repository}")
    pull = [ecr.BatchCheckLayerAvailability, ecr.GetDownloadUrlForLayer, ecr.BatchGetImage]
    return [_allow_any_resource([ecr.GetAuthorizationToken]), _allow(pull, [arn])]


def grant_read_certificate(bucket: str, key: str) -> Statement:
    """The CA certificate CodeBuild downloads into the build container (ProjectEnvironment
    certificate): that one object."""
    return _allow([s3.GetObject], [Sub(f"arn:${{AWS::Partition}}:s3:::{bucket}/{key}")])


def grant_vpc_network_interfaces(subnets: Sequence[str], groups: Sequence[str]) -> list[Statement]:
    """What CodeBuild documents for builds in a VPC (user guide, "Allow CodeBuild access to
    AWS services required to create a VPC network interface"), with the interfaces it
    creates limited to the spec's subnets and security groups, and the permission to
    attach them limited by the documented ec2:Subnet and ec2:AuthorizedService."""
    subnet_arns = [regional_arn("ec2", f"subnet/{subnet}") for subnet in subnets]
    group_arns = [regional_arn("ec2", f"security-group/{group}") for group in groups]
    interfaces = regional_arn("ec2", "network-interface/*")
    describe = [
        ec2.DescribeDhcpOptions,
        ec2.DescribeNetworkInterfaces,
        ec2.DescribeSecurityGroups,
        ec2.DescribeSubnets,
        ec2.DescribeVpcs,
    ]
    return [
        _allow_any_resource(describe),
        _allow([ec2.CreateNetworkInterface], [interfaces, *subnet_arns, *group_arns]),
        _allow([ec2.DeleteNetworkInterface], [interfaces]),
        _allow(
            [ec2.CreateNetworkInterfacePermission],
            [interfaces],
            Condition=Condition(
                [
                    StringEquals("ec2:AuthorizedService", "codebuild.amazonaws.com"),
                    ArnEquals("ec2:Subnet", subnet_arns),
                ]
            ),
        ),
    ]


def secret_resource(secret: SecretRef) -> Sub | str:
    if secret.store == "ssm":
        return regional_arn("ssm", "parameter/" + secret.name.lstrip("/"))
    if secret.is_complete_arn:
        return secret.name
    # Secrets Manager appends "-" and six random characters to a secret's name in its ARN;
    # a name or a partial ARN matches it only with "-??????".
    if secret.name.startswith("arn:"):
        return secret.name + "-??????"
    return regional_arn("secretsmanager", f"secret:{secret.name}-??????")


def grant_read_secrets(
    secrets: Sequence[SecretRef], secret_keys: Sequence[str] = ()
) -> list[Statement]:
    """Read exactly the listed parameters and secrets (CodeBuild resolves them at start),
    and decrypt them with the spec's secret_keys through those stores only."""
    params = [secret_resource(s) for s in secrets if s.store == "ssm"]
    stored = [secret_resource(s) for s in secrets if s.store == "secretsmanager"]
    statements = []
    if params:
        statements.append(_allow([ssm.GetParameters], _unique(params)))
    if stored:
        statements.append(_allow([secretsmanager.GetSecretValue], _unique(stored)))
    stores = [store for store, found in (("secretsmanager", stored), ("ssm", params)) if found]
    if secret_keys and stores:
        statements.append(grant_decrypt_secrets(secret_keys, stores))
    return statements


def grant_decrypt_secrets(secret_keys: Sequence[str], stores: Sequence[str]) -> Statement:
    """kms:Decrypt with the customer managed keys that encrypt the secrets, only when the
    request comes through the secret stores the role reads. The caller of GetSecretValue or
    of GetParameters on a SecureString needs kms:Decrypt on the key: Secrets Manager user
    guide, "Secret encryption and decryption" (Permissions for the KMS key); Systems
    Manager user guide, "Restricting decryption of SecureString parameter values". The
    services' kms:ViaService names: KMS developer guide, "kms:ViaService"."""
    services = [Sub(f"{store}.${{AWS::Region}}.amazonaws.com") for store in stores]
    return _allow(
        [kms.Decrypt],
        list(secret_keys),
        Condition=Condition(StringEquals("kms:ViaService", services)),
    )


def _unique(resources: Sequence[Sub | str]) -> list[Sub | str]:
    seen: dict[str, Sub | str] = {}
    for resource in resources:
        key = repr(resource.to_dict()) if isinstance(resource, AWSHelperFn) else resource
        seen.setdefault(key, resource)
    return list(seen.values())


def grant_start_build(project: Project) -> Statement:
    return _allow([codebuild.StartBuild, codebuild.BatchGetBuilds], [GetAtt(project, "Arn")])


def grant_ecs_deploy(
    cluster: str, service: str, task_roles: Sequence[str], regions: Sequence[str] = ()
) -> list[Statement]:
    """CodePipeline's ECS standard deploy: register a task definition revision and
    update the one service (CodePipeline user guide, ECS deploy action reference,
    "Service role permissions"), in the stack's Region or in each of regions."""
    task_definitions = in_regions("ecs", "task-definition/*", regions)
    statements = [
        _allow(
            [ecs.DescribeServices, ecs.UpdateService],
            in_regions("ecs", f"service/{cluster}/{service}", regions),
        ),
        _allow([ecs.RegisterTaskDefinition], task_definitions),
        _allow(
            [ecs.TagResource],
            task_definitions,
            Condition=Condition(StringEquals("ecs:CreateAction", "RegisterTaskDefinition")),
        ),
        _allow_any_resource([ecs.DescribeTaskDefinition]),
    ]
    if task_roles:
        # A role's ARN holds its path: arn:...:role/<path>/<name>.
        roles = [Sub(ARN_PREFIX + "iam::${AWS::AccountId}:role/" + name) for name in task_roles]
        statements.append(
            _allow(
                [iam_actions.PassRole],
                roles,
                Condition=Condition(StringEquals("iam:PassedToService", ECS_TASKS_PRINCIPAL)),
            )
        )
    return statements


def grant_s3_deploy(bucket: str, key: str | None) -> list[Statement]:
    """CodePipeline's S3 deploy action into an existing bucket: write the files (or the
    one zipped object) and their ACLs, and read the bucket's versioning, ACL and location
    (CodePipeline user guide, S3 deploy action reference, "Service role permissions")."""
    bucket_arn = Sub(ARN_PREFIX + f"s3:::{bucket}")
    objects = Sub(ARN_PREFIX + f"s3:::{bucket}/{key if key is not None else '*'}")
    return [
        _allow([s3.PutObject, s3.PutObjectAcl, s3.PutObjectVersionAcl], [objects]),
        _allow([s3.GetBucketVersioning, s3.GetBucketAcl, s3.GetBucketLocation], [bucket_arn]),
    ]


def grant_start_pipeline(pipeline: Pipeline) -> Statement:
    return _allow(
        [codepipeline.StartPipelineExecution],
        [regional_arn("codepipeline", "${" + pipeline.title + "}")],
    )


def service_role(title: str, service_principal: str, statements: Sequence[Statement]) -> Role:
    """A role that one AWS service may assume, with one inline least-privilege policy.
    Unnamed, so deploying needs only CAPABILITY_IAM. Under ROLE_PATH, the only roles the
    CloudFormation execution role (bootstrap-deployer) may create and pass."""
    trust = PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow, Principal=Principal("Service", service_principal), Action=[AssumeRole]
            )
        ],
    )
    policy = Policy(
        PolicyName="least-privilege",
        PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=list(statements)),
    )
    return Role(title, AssumeRolePolicyDocument=trust, Policies=[policy], Path=ROLE_PATH)


class Grants:
    """The statements of one role's policy. A grant on this stack's buckets records the
    bucket, so that with a customer-managed key the role may also use the key, through S3
    and for those buckets only (one statement per key, after the others), as CDK's bucket
    grants grant the bucket's key. bucket_keys: a bucket's own key where it is not kms_key
    (the artifact store of a cross-account pipeline)."""

    def __init__(
        self, kms_key: str | None, bucket_keys: Mapping[str, object | None] | None = None
    ) -> None:
        self.kms_key = kms_key
        self.bucket_keys = dict(bucket_keys or {})
        self._statements: list[Statement] = []
        self._buckets: list[Bucket] = []

    def add(self, *statements: Statement) -> Grants:
        self._statements += statements
        return self

    def on_bucket(self, bucket: Bucket, *statements: Statement) -> Grants:
        if bucket not in self._buckets:
            self._buckets.append(bucket)
        return self.add(*statements)

    def _key_of(self, bucket: Bucket) -> object | None:
        return self.bucket_keys.get(bucket.title, self.kms_key)

    def statements(self) -> list[Statement]:
        unique: dict[str, Statement] = {}
        for statement in self._statements:  # e.g. the ECR login token, asked for twice
            key = json.dumps(encode_to_dict(statement.JSONrepr()), sort_keys=True)
            unique.setdefault(key, statement)
        found = list(unique.values())
        by_key: dict[str, tuple[object, list[Bucket]]] = {}
        for bucket in self._buckets:
            kms_key = self._key_of(bucket)
            if kms_key is not None:
                name = json.dumps(encode_to_dict(kms_key), sort_keys=True)
                by_key.setdefault(name, (kms_key, []))[1].append(bucket)
        return found + [grant_use_key(k, buckets) for k, buckets in by_key.values()]
