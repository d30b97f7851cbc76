"""E9306: a CloudFormation deploy action's stack role is in the action role's account.

The action role passes Configuration.RoleArn to CloudFormation, and IAM refuses to pass a
role of another account ("Cross-account pass role is not allowed",
awsdocs/aws-codepipeline-user-guide#50, aws/aws-cdk#28122). CodePipeline user guide,
pipelines-create-cross-account: the CloudFormation role lives in the target account with
the action role.
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import PIPELINE_ACCOUNT, arn_account
from generator.checks.rules._helpers import pipeline_actions, resources


def account_label(account: str) -> str:
    return "the pipeline's account" if account == PIPELINE_ACCOUNT else f"account {account}"


class DeployRoleAccount(CloudFormationLintRule):
    id = "E9306"
    shortdesc = "CloudFormation stack role in another account than the action role"
    description = (
        "A CloudFormation action's Configuration.RoleArn must be in the account of the "
        "action's RoleArn (the pipeline's account when the action has none)."
    )
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html"
    tags = ["resources", "codepipeline", "iam", "cross-account"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            for path, action in pipeline_actions(props):
                type_id = action.get("ActionTypeId")
                config = action.get("Configuration")
                if not isinstance(type_id, dict) or type_id.get("Provider") != "CloudFormation":
                    continue
                if not isinstance(config, dict) or "RoleArn" not in config:
                    continue
                action_role = action.get("RoleArn")
                actor = (
                    PIPELINE_ACCOUNT
                    if action_role is None
                    else arn_account(action_role, cfn.template)
                )
                stack = arn_account(config["RoleArn"], cfn.template)
                if actor is not None and stack is not None and actor != stack:
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", *path, "Configuration", "RoleArn"],
                            f"the stack role is in {account_label(stack)} but the action runs "
                            f"in {account_label(actor)}, and IAM does not pass a role across "
                            "accounts; use a CloudFormation role in the action role's account",
                        )
                    )
        return matches
