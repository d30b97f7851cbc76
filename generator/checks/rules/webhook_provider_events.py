"""E9105: a webhook sends only events its Git host sends (Bitbucket has no reopened or
release events)."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.aws.enums import PROVIDER_EVENTS, SOURCE_TYPES
from generator.checks.rules._helpers import event_names, filter_groups, resources

_PROVIDER_OF_SOURCE = {source: provider for provider, source in SOURCE_TYPES.items()}


class WebhookProviderEvents(CloudFormationLintRule):
    id = "E9105"
    shortdesc = "Webhook event the source's Git host does not send"
    description = (
        "Bitbucket sends no PULL_REQUEST_REOPENED, RELEASED, PRERELEASED or "
        "WORKFLOW_JOB_QUEUED events: a group that waits for one never starts a build."
    )
    source_url = "https://docs.aws.amazon.com/codebuild/latest/userguide/bitbucket-webhook.html"
    tags = ["resources", "codebuild", "webhook"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        sources = {}
        for name, props in resources(cfn.template, "AWS::CodeBuild::Project"):
            source = props.get("Source")
            if isinstance(source, dict):
                sources[name] = _PROVIDER_OF_SOURCE.get(str(source.get("Type")))
        matches = []
        for project, path, filters in filter_groups(cfn.template):
            provider = sources.get(project)
            if provider is None:
                continue
            for event in event_names(filters):
                if event not in PROVIDER_EVENTS[provider] and event:
                    matches.append(
                        RuleMatch(
                            path,
                            f"{provider.capitalize()} does not send {event}; allowed for "
                            f"{provider}: {', '.join(sorted(PROVIDER_EVENTS[provider]))}",
                        )
                    )
        return matches
