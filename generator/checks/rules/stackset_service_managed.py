"""E9602: AutoDeployment and CallAs DELEGATED_ADMIN go with PermissionModel
SERVICE_MANAGED.

CloudFormation reference, AWS::CloudFormation::StackSet: AutoDeployment is
"[Service-managed permissions]" (Required: No, so a SERVICE_MANAGED StackSet may leave
it out); CallAs is
"[Service-managed permissions] ... By default, SELF is specified. Use SELF for StackSets
with self-managed permissions" (so DELEGATED_ADMIN needs SERVICE_MANAGED). API reference:
API_AutoDeployment, API_CreateStackSet (CallAs).
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import stack_sets


class StackSetServiceManaged(CloudFormationLintRule):
    id = "E9602"
    shortdesc = "StackSet setting that needs the other permission model"
    description = (
        "AutoDeployment and CallAs DELEGATED_ADMIN only work with PermissionModel SERVICE_MANAGED."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html"
    tags = ["resources", "cloudformation", "stackset"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in stack_sets(cfn.template):
            model = props.get("PermissionModel")
            where = ["Resources", name, "Properties"]
            if model == "SELF_MANAGED" and "AutoDeployment" in props:
                matches.append(
                    RuleMatch(
                        [*where, "AutoDeployment"],
                        "AutoDeployment works only with PermissionModel SERVICE_MANAGED "
                        "(Organizations OUs); remove it or switch the permission model",
                    )
                )
            if model == "SELF_MANAGED" and props.get("CallAs") == "DELEGATED_ADMIN":
                matches.append(
                    RuleMatch(
                        [*where, "CallAs"],
                        "CallAs DELEGATED_ADMIN works only with PermissionModel "
                        "SERVICE_MANAGED; use SELF (the default) for a self-managed StackSet",
                    )
                )
        return matches
