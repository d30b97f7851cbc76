"""E9402 (was P402): a role trusts only a service principal this product uses."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.aws.enums import CLOUDFORMATION_PRINCIPAL, SERVICE_PRINCIPALS
from generator.checks.rules._helpers import as_list, resources
from generator.stack.naming import METADATA_KEY


def _deployer_principals(template: dict[str, object]) -> frozenset[str]:
    """CloudFormation, in the bootstrap-deployer template only."""
    metadata = template.get("Metadata")
    record = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    is_deployer = isinstance(record, dict) and record.get("Bootstrap") == "deployer"
    return frozenset({CLOUDFORMATION_PRINCIPAL}) if is_deployer else frozenset()


class TrustKnownPrincipal(CloudFormationLintRule):
    id = "E9402"
    shortdesc = "Role trusts a principal this product does not use"
    description = "Trusted services are CodeBuild, CodePipeline and EventBridge only."
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        allowed = SERVICE_PRINCIPALS | _deployer_principals(cfn.template)
        for name, props in resources(cfn.template, "AWS::IAM::Role"):
            document = props.get("AssumeRolePolicyDocument")
            statements = document.get("Statement") if isinstance(document, dict) else []
            for s, statement in enumerate(as_list(statements or [])):
                principal = statement.get("Principal") if isinstance(statement, dict) else None
                services = (
                    as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
                )
                for service in services:
                    if service not in allowed:
                        matches.append(
                            RuleMatch(
                                ["Resources", name, "Properties", "AssumeRolePolicyDocument",
                                 "Statement", s, "Principal"],
                                f"{service!r} is not a service principal this product uses; "
                                "allowed: " + ", ".join(sorted(allowed)),
                            )
                        )  # fmt: skip
        return matches
