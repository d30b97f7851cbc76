"""IAM facts: the actions that take only Resource "*"."""

from __future__ import annotations

# Actions that AWS's Service Authorization Reference gives no resource type (or,
# for ListTasks, none that fits listing a service's tasks): "*" is the only
# resource they take. Each one is narrowed by a condition where AWS offers one.
RESOURCE_WILDCARD_ALLOWLIST: dict[str, str] = {
    "ecr:GetAuthorizationToken": "the registry login token is account-wide; ECR defines no "
    "resource type for it",
    "ecs:DescribeTaskDefinition": "ECS defines no resource type for DescribeTaskDefinition",
}
