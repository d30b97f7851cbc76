"""This product's cfn-lint rules, one class per file (ids E9101-E9604; the numbers of the
former P-rules, P101 -> E9101). In a Python environment where the generator is installed,
plain cfn-lint loads them by module path or from this folder:

    cfn-lint template.yaml --append-rules generator.checks.rules
    cfn-lint template.yaml --append-rules path/to/generator/checks/rules
"""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent

from generator.checks.rules.action_wildcard import ActionWildcard  # noqa: E402
from generator.checks.rules.artifact_store_regions import ArtifactStoreRegions  # noqa: E402
from generator.checks.rules.badge_source import BadgeSource  # noqa: E402
from generator.checks.rules.compute_type import ComputeType  # noqa: E402
from generator.checks.rules.cross_account_key import CrossAccountKey  # noqa: E402
from generator.checks.rules.deploy_role_account import DeployRoleAccount  # noqa: E402
from generator.checks.rules.event_rule_target import EventRuleTarget  # noqa: E402
from generator.checks.rules.literal_account import LiteralAccount  # noqa: E402
from generator.checks.rules.literal_partition import LiteralPartition  # noqa: E402
from generator.checks.rules.literal_region import LiteralRegion  # noqa: E402
from generator.checks.rules.parallel_rollback import ParallelRollback  # noqa: E402
from generator.checks.rules.pass_role_scope import PassRoleScope  # noqa: E402
from generator.checks.rules.pipeline_artifacts import PipelineArtifacts  # noqa: E402
from generator.checks.rules.pipeline_v2_features import PipelineV2Features  # noqa: E402
from generator.checks.rules.resource_wildcard import ResourceWildcard  # noqa: E402
from generator.checks.rules.s3_source_action import S3SourceAction  # noqa: E402
from generator.checks.rules.s3_source_polling import S3SourcePolling  # noqa: E402
from generator.checks.rules.source_stage_rollback import SourceStageRollback  # noqa: E402
from generator.checks.rules.stackset_named_iam import StackSetNamedIam  # noqa: E402
from generator.checks.rules.stackset_preferences import StackSetPreferences  # noqa: E402
from generator.checks.rules.stackset_service_managed import StackSetServiceManaged  # noqa: E402
from generator.checks.rules.stackset_targets import StackSetTargets  # noqa: E402
from generator.checks.rules.stage_condition_limits import StageConditionLimits  # noqa: E402
from generator.checks.rules.stage_rule_declarations import StageRuleDeclarations  # noqa: E402
from generator.checks.rules.trust_known_principal import TrustKnownPrincipal  # noqa: E402
from generator.checks.rules.trust_one_principal import TrustOnePrincipal  # noqa: E402
from generator.checks.rules.webhook_base_ref_push import WebhookBaseRefPush  # noqa: E402
from generator.checks.rules.webhook_event_spacing import WebhookEventSpacing  # noqa: E402
from generator.checks.rules.webhook_filter_values import WebhookFilterValues  # noqa: E402
from generator.checks.rules.webhook_group_event import WebhookGroupEvent  # noqa: E402
from generator.checks.rules.webhook_provider_events import WebhookProviderEvents  # noqa: E402

RULES = (
    WebhookGroupEvent,
    WebhookFilterValues,
    WebhookEventSpacing,
    WebhookBaseRefPush,
    WebhookProviderEvents,
    BadgeSource,
    ComputeType,
    S3SourceAction,
    S3SourcePolling,
    PipelineArtifacts,
    EventRuleTarget,
    CrossAccountKey,
    DeployRoleAccount,
    ArtifactStoreRegions,
    PipelineV2Features,
    SourceStageRollback,
    StageConditionLimits,
    StageRuleDeclarations,
    ParallelRollback,
    TrustOnePrincipal,
    TrustKnownPrincipal,
    ActionWildcard,
    ResourceWildcard,
    PassRoleScope,
    LiteralPartition,
    LiteralRegion,
    LiteralAccount,
    StackSetPreferences,
    StackSetServiceManaged,
    StackSetTargets,
    StackSetNamedIam,
)
