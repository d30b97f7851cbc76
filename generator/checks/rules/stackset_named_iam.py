"""E9604: a StackSet whose template names IAM resources acknowledges CAPABILITY_NAMED_IAM.

CloudFormation API reference, API_CreateStackSet (and API_CreateStack), Capabilities: "If
you have IAM resources with custom names, you must specify CAPABILITY_NAMED_IAM"; otherwise
the operation fails with InsufficientCapabilities. Only a TemplateBody can be read
here; a TemplateURL is not fetched.
"""

from __future__ import annotations

from typing import Any

from cfnlint.decode import decode_str
from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import stack_sets
from generator.checks.rules._helpers import as_list

NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


def named_iam_resources(body: str) -> list[str]:
    """Logical ids of the IAM resources with a custom name in a template body."""
    template, _ = decode_str(str(body))  # a plain str: the decoder refuses its own nodes
    named = []
    for name, resource in ((template or {}).get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        name_property = NAME_PROPERTIES.get(str(resource.get("Type")))
        props = resource.get("Properties")
        if name_property and isinstance(props, dict) and name_property in props:
            named.append(str(name))
    return named


def capabilities(props: dict[str, Any]) -> list[Any]:
    return as_list(props.get("Capabilities") or [])


class StackSetNamedIam(CloudFormationLintRule):
    id = "E9604"
    shortdesc = "StackSet template names IAM resources without CAPABILITY_NAMED_IAM"
    description = (
        "A StackSet whose TemplateBody creates IAM resources with custom names (RoleName, "
        "...) needs CAPABILITY_NAMED_IAM in Capabilities."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html"
    tags = ["resources", "cloudformation", "stackset", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in stack_sets(cfn.template):
            body = props.get("TemplateBody")
            if not isinstance(body, str) or "CAPABILITY_NAMED_IAM" in capabilities(props):
                continue
            named = named_iam_resources(body)
            if named:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "TemplateBody"],
                        f"the template names IAM resources ({', '.join(named)}); add "
                        "CAPABILITY_NAMED_IAM to Capabilities",
                    )
                )
        return matches
