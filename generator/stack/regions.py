"""`regions`: one deploy action per Region, in order, and the artifact stores they need.

A pipeline whose actions run in another Region needs an artifact store there, in its own
account: `ArtifactStores`, one per Region, replaces `ArtifactStore` (CloudFormation
template reference, aws-properties-codepipeline-pipeline-artifactstoremap; CodePipeline
user guide, actions-create-cross-region). The store of Region r is the bucket
`pipeline-artifacts-<account>-<r>` of the template `regional-<r>` (stack
`pipeline-artifacts-<r>`, deployed in r), shared by the account's pipelines that deploy
to r; its policy names their (named) pipeline roles as its only writers and the target
accounts' deploy roles as readers.

The templates are Region-agnostic: the pipeline's own Region is ${AWS::Region}, so each
listed Region's store is written under a condition that leaves it out where the pipeline
itself runs in that Region (its own store serves it there).

Across accounts a store needs a customer managed key named by key ARN (an alias resolves
only in its own account): with `regions`, a cross-account environment needs kms_key to be
a multi-Region key (mrk-...) replicated into each Region, whose replicas share its key ID,
so each Region's key ARN is the spec's with the Region replaced (KMS developer guide,
"Multi-Region keys": "related multi-Region keys have the same key ID").
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs import kms, s3
from awacs.aws import Allow, Condition, Statement, StringEquals, StringLike
from troposphere import AWSHelperFn, Equals, If, NoValue, Output, Ref, Sub, Template
from troposphere.codepipeline import ArtifactStore, ArtifactStoreMap, EncryptionKey

from .. import __version__
from ..aws import controls
from ..spec.model import Spec
from . import accounts, iam, naming
from . import s3 as s3_buckets

REGIONAL_STEM_PREFIX = "regional-"
REGIONAL_STACK_PREFIX = "pipeline-artifacts-"


def camel_region(region: str) -> str:
    """eu-west-1 -> EuWest1: a Region's part of a condition name."""
    return "".join(part[:1].upper() + part[1:] for part in region.split("-"))


def regions_of(spec: Spec, head: str) -> list[str]:
    """Every Region head's pipeline deploys to by name, first appearance first."""
    return list(
        dict.fromkeys(r for env in spec.chain(head) for r in spec.environments[env].regions)
    )


def pipeline_runs_in(region: str) -> str:
    """The condition: the pipeline's own Region is region."""
    return f"PipelineIn{camel_region(region)}"


def bucket_name(account: str, region: str) -> str:
    """account: a 12-digit id, or ${AWS::AccountId} inside a Sub."""
    return f"{REGIONAL_STACK_PREFIX}{account}-{region}"


def bucket_arn(spec: Spec, region: str, suffix: str = "") -> Sub:
    name = bucket_name(accounts.pipeline_account(spec), region)
    return Sub(f"arn:${{AWS::Partition}}:s3:::{name}{suffix}")


def replica_key(spec: Spec, region: str) -> Sub | None:
    """The spec's multi-Region key in region (same key ID: only the Region differs)."""
    if spec.kms_key is None:
        return None
    parts = spec.kms_key.split(":")
    return Sub(":".join(["arn", "${AWS::Partition}", "kms", region, *parts[4:]]))


def store_key(spec: Spec, head: str, region: str) -> Sub | None:
    """A Region's store key: the replica where the pipeline crosses accounts, else the
    bucket's default encryption (aws/s3) serves the account's own actions."""
    return replica_key(spec, region) if accounts.crosses_accounts(spec, head) else None


def artifact_stores(
    spec: Spec, head: str, own: ArtifactStore
) -> tuple[list[object], dict[str, Equals]]:
    """ArtifactStores (the pipeline's own Region first) and the conditions they use."""
    stores: list[object] = [ArtifactStoreMap(Region=Ref("AWS::Region"), ArtifactStore=own)]
    conditions: dict[str, Equals] = {}
    for region in regions_of(spec, head):
        name = bucket_name(accounts.pipeline_account(spec), region)
        store = ArtifactStore(Type="S3", Location=Sub(name) if "${" in name else name)
        key = store_key(spec, head, region)
        if key is not None:
            store.EncryptionKey = EncryptionKey(Id=key, Type="KMS")
        condition = pipeline_runs_in(region)
        conditions[condition] = Equals(Ref("AWS::Region"), region)
        stores.append(If(condition, NoValue, ArtifactStoreMap(Region=region, ArtifactStore=store)))
    return stores, conditions


def _via_s3(region: str, buckets: Sequence[AWSHelperFn]) -> Condition:
    return Condition(
        [
            StringEquals("kms:ViaService", f"s3.{region}.amazonaws.com"),
            StringLike("kms:EncryptionContext:aws:s3:arn", list(buckets)),
        ]
    )


def pipeline_grants(spec: Spec, head: str) -> list[Statement]:
    """The pipeline role's use of each Region's store: CodePipeline's documented artifact
    store permissions (user guide, how-to-custom-role) on that bucket, and its key."""
    found = []
    for region in regions_of(spec, head):
        found += iam.grant_artifact_store_at(
            bucket_arn(spec, region), bucket_arn(spec, region, "/*")
        )
        key = store_key(spec, head, region)
        if key is not None:
            found.append(
                Statement(
                    Effect=Allow,
                    Action=[kms.Decrypt, kms.GenerateDataKey],
                    Resource=[key],
                    Condition=_via_s3(
                        region, [bucket_arn(spec, region), bucket_arn(spec, region, "/*")]
                    ),
                )
            )
    return found


def deploy_role_reads(spec: Spec, env: str) -> list[Statement]:
    """A target deploy role reads its Regions' artifacts: the objects, and the replica key
    through S3 in that Region for that bucket."""
    found = []
    for region in spec.environments[env].regions:
        objects = bucket_arn(spec, region, "/*")
        found.append(
            Statement(Effect=Allow, Action=[s3.GetObject, s3.GetObjectVersion], Resource=[objects])
        )
        key = replica_key(spec, region)
        assert key is not None  # validate: regions across accounts need a multi-Region key
        found.append(
            Statement(
                Effect=Allow,
                Action=[kms.Decrypt],
                Resource=[key],
                Condition=_via_s3(region, [bucket_arn(spec, region), objects]),
            )
        )
    return found


REGIONAL_LOGGING_REASON = (
    "S3 delivers server access logs only to a bucket in the logged bucket's Region; the "
    "specs' access_logs bucket is in the pipelines' Region"
)
ARTIFACT_BUCKET = "ArtifactBucket"
ARTIFACT_BUCKET_POLICY = "ArtifactBucketPolicy"


def regional_stem(account: str | None, region: str) -> str:
    return REGIONAL_STEM_PREFIX + (f"{account}-" if account else "") + region


def members_in(region: str, specs: Sequence[Spec]) -> list[tuple[Spec, str]]:
    """(spec, first environment) of every pipeline that deploys to region by name."""
    return [
        (spec, head)
        for spec in sorted(specs, key=lambda s: s.service)
        for head in spec.stack_environments
        if head in spec.environments and region in regions_of(spec, head)
    ]


def readers_in(
    region: str, members: Sequence[tuple[Spec, str]], objects: object
) -> list[Statement]:
    """The target deploy roles that deploy in region: they read its objects."""
    return [
        accounts.allow_role_of(
            str(spec.environments[env].account),
            accounts.deploy_role_arn(spec, env),
            [s3.GetObject, s3.GetObjectVersion],
            [objects],
        )
        for spec, head in members
        for env in spec.chain(head)
        if accounts.is_cross_account(spec, env) and region in spec.environments[env].regions
    ]


def compose_regional(account: str | None, region: str, specs: Sequence[Spec]) -> Template:
    """The artifact store in region of the pipelines (of account) that deploy there."""
    members = members_in(region, specs)
    template = Template(
        Description=f"Artifact store in {region} of the pipelines that deploy there "
        f"({', '.join(sorted({s.service for s, _ in members}))}). Generated by "
        f"pipeline-template-generator {__version__}; edit the specs, not this file."
    )
    template.set_version("2010-09-09")
    record: dict[str, object] = {
        "Stack": REGIONAL_STACK_PREFIX + region,
        "GeneratorVersion": __version__,
        "Kind": "regional",
        "Region": region,
        "Services": sorted({spec.service for spec, _ in members}),
    }
    # A Region's store logs nowhere (S3 delivers server access logs only to a bucket in the
    # same Region, and access_logs names one in the pipeline's Region: strict refuses
    # regions) and has no Object Lock, as a standard stack's buckets.
    record["Hardening"] = "standard"
    record["ControlTowerWaivers"] = {
        controls.S3_ACCESS_LOGGING.control: REGIONAL_LOGGING_REASON,
        controls.S3_OBJECT_LOCK.control: controls.S3_OBJECT_LOCK.reason,
    }
    if account is not None:
        record["Account"] = account
        record["Accounts"] = sorted(
            {str(s.environments[e].account) for s, h in members for e in s.chain(h)
             if accounts.is_cross_account(s, e)}
        )  # fmt: skip
    template.set_metadata({naming.METADATA_KEY: record})
    bucket = s3_buckets.artifact_bucket(ARTIFACT_BUCKET, None)
    bucket.BucketName = Sub(bucket_name("${AWS::AccountId}", "${AWS::Region}"))
    writers = [accounts.pipeline_role_arn(spec, head) for spec, head in members]
    policy = s3_buckets.shared_bucket_policy(
        ARTIFACT_BUCKET_POLICY,
        bucket,
        writers,
        readers_in(region, members, s3_buckets.objects_of(bucket)),
    )
    template.add_resource([bucket, policy])
    template.add_output(
        Output("ArtifactBucketName", Description=f"Artifact store in {region}", Value=Ref(bucket))
    )
    return template


def regional_groups(specs: Sequence[Spec]) -> dict[tuple[str | None, str], list[Spec]]:
    """(tools account or None, Region) -> the specs whose pipelines deploy there by name."""
    groups: dict[tuple[str | None, str], list[Spec]] = {}
    for spec in specs:
        account = spec.delivery.tools_account if spec.delivery is not None else None
        for head in spec.stack_environments:
            if head in spec.environments:
                for region in regions_of(spec, head):
                    members = groups.setdefault((account, region), [])
                    if spec not in members:
                        members.append(spec)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0] or "", item[0][1])))
