"""E9305: a pipeline with an action role in another account encrypts every artifact
store with a customer-managed KMS key named by its key ARN.

CodePipeline user guide, "Create a pipeline in CodePipeline that uses resources from
another AWS account" (pipelines-create-cross-account): the other account can read the
artifacts only through a customer-managed key it is granted. CloudFormation reference,
AWS::CodePipeline::Pipeline EncryptionKey, Id: "Aliases are recognized only in the
account that created the AWS KMS key. For cross-account actions, you can only use the key
ID or key ARN ... specifying the key ID will use the key from the other account"; so only
the key ARN names the pipeline account's key in both accounts.
"""

from __future__ import annotations

from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import PIPELINE_ACCOUNT, arn_account, is_key_arn
from generator.checks.rules._helpers import Path, as_list, pipeline_actions, resources


def artifact_stores(props: dict[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
    """(path below Properties, store) of ArtifactStore and of each ArtifactStores entry."""
    stores: list[tuple[Path, dict[str, Any]]] = []
    if isinstance(props.get("ArtifactStore"), dict):
        stores.append((["ArtifactStore"], props["ArtifactStore"]))
    for i, entry in enumerate(as_list(props.get("ArtifactStores") or [])):
        store = entry.get("ArtifactStore") if isinstance(entry, dict) else None
        if isinstance(store, dict):
            stores.append((["ArtifactStores", i, "ArtifactStore"], store))
    return stores


def other_account_action(props: dict[str, Any], template: Any) -> str | None:
    """The name of the first action whose role is in another account than the pipeline."""
    for _, action in pipeline_actions(props):
        account = arn_account(action.get("RoleArn"), template)
        if account is not None and account != PIPELINE_ACCOUNT:
            return str(action.get("Name"))
    return None


class CrossAccountKey(CloudFormationLintRule):
    id = "E9305"
    shortdesc = "Cross-account pipeline without a KMS key ARN on its artifact store"
    description = (
        "When an action's RoleArn is in another account, every artifact store needs an "
        "EncryptionKey whose Id is the customer-managed key's ARN (not an alias or key id)."
    )
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html"
    tags = ["resources", "codepipeline", "kms", "cross-account"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            action = other_account_action(props, cfn.template)
            if action is None:
                continue
            for path, store in artifact_stores(props):
                key = store.get("EncryptionKey")
                where = ["Resources", name, "Properties", *path]
                if not isinstance(key, dict):
                    matches.append(
                        RuleMatch(
                            where,
                            f"action {action!r} runs in another account, so this artifact "
                            "store needs an EncryptionKey: a customer-managed KMS key, by "
                            "its key ARN (!GetAtt Key.Arn)",
                        )
                    )
                elif is_key_arn(key.get("Id"), cfn.template) is False:
                    matches.append(
                        RuleMatch(
                            [*where, "EncryptionKey", "Id"],
                            f"action {action!r} runs in another account, where an alias or "
                            "key id does not name this key; use the key ARN (!GetAtt Key.Arn)",
                        )
                    )
        return matches
