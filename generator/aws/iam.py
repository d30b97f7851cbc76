"""IAM facts: the actions that take only Resource "*"."""

from __future__ import annotations

# Actions that AWS's Service Authorization Reference gives no resource type (or,
# for ListTasks, none that fits listing a service's tasks): "*" is the only
# resource they take. Each one is narrowed by a condition where AWS offers one.
RESOURCE_WILDCARD_ALLOWLIST: dict[str, str] = {
    "ecr:GetAuthorizationToken": "the registry login token is account-wide; ECR defines no "
    "resource type for it",
    "ecs:DescribeTaskDefinition": "ECS defines no resource type for DescribeTaskDefinition",
    # VPC builds (CodeBuild user guide, auth-and-access-control-iam-identity-based-access-
    # control, "Allow CodeBuild access to AWS services required to create a VPC network
    # interface"): EC2's Describe actions support no resource-level permissions.
    "ec2:DescribeDhcpOptions": "EC2 Describe actions have no resource type",
    "ec2:DescribeNetworkInterfaces": "EC2 Describe actions have no resource type",
    "ec2:DescribeSecurityGroups": "EC2 Describe actions have no resource type",
    "ec2:DescribeSubnets": "EC2 Describe actions have no resource type",
    "ec2:DescribeVpcs": "EC2 Describe actions have no resource type",
    # The CloudFormation execution role (bootstrap-deployer): actions the resource handlers
    # of AWS::Logs::LogGroup and AWS::SNS::Subscription call that the Service Authorization
    # Reference gives no resource type (list_amazoncloudwatchlogs, list_amazonsns).
    "logs:DescribeLogGroups": "CloudWatch Logs defines no resource type for DescribeLogGroups",
    "logs:DescribeIndexPolicies": "CloudWatch Logs defines no resource type for "
    "DescribeIndexPolicies",
    "logs:DescribeResourcePolicies": "CloudWatch Logs defines no resource type for "
    "DescribeResourcePolicies",
    "sns:GetSubscriptionAttributes": "SNS defines no resource type for subscriptions",
    "sns:SetSubscriptionAttributes": "SNS defines no resource type for subscriptions",
    "sns:Unsubscribe": "SNS defines no resource type for subscriptions",
}
