"""What CloudFormation itself calls to create, update, read and delete each resource type
our service and checks stacks contain: the permissions of the CloudFormation execution
role (`bootstrap-deployer`).

Source: each type's CloudFormation resource provider schema,
`handlers.{create,read,update,delete}.permissions` (the registry schemas, as bundled
with cfn-lint in cfnlint/data/schemas; CloudFormation User Guide, "Resource type
schema", https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html).
AWS::CodeBuild::Project is not a registry resource (its schema lists no handlers); its
actions are CodeBuild's API for a project and its webhook (CodeBuild user guide,
auth-and-access-control-permissions-reference) plus iam:PassRole for the service role.
"""

from __future__ import annotations

# resource type -> the handler permissions we grant (every create/read/update/delete
# permission of the schema except EXCLUDED_PERMISSIONS and EXCLUDED_FOR_TYPE).
HANDLER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "AWS::CodeBuild::Project": (
        "codebuild:BatchGetProjects",
        "codebuild:CreateProject",
        "codebuild:CreateWebhook",
        "codebuild:DeleteProject",
        "codebuild:DeleteWebhook",
        "codebuild:UpdateProject",
        "codebuild:UpdateWebhook",
        # Source.Auth CODECONNECTIONS: the caller passes the connection to CodeBuild
        # (CodeConnections user guide, connections-permissions-actions: PassConnection).
        "codeconnections:PassConnection",
        "codestar-connections:PassConnection",
        "iam:PassRole",
    ),
    "AWS::CodePipeline::Pipeline": (
        "codepipeline:CreatePipeline",
        "codepipeline:DeletePipeline",
        "codepipeline:DisableStageTransition",
        "codepipeline:EnableStageTransition",
        "codepipeline:GetPipeline",
        "codepipeline:GetPipelineState",
        "codepipeline:ListTagsForResource",
        "codepipeline:StartPipelineExecution",
        "codepipeline:TagResource",
        "codepipeline:UntagResource",
        "codepipeline:UpdatePipeline",
        "codestar-connections:PassConnection",
        "iam:GetRole",
        "iam:PassRole",
    ),
    "AWS::CodeStarNotifications::NotificationRule": (
        "codestar-notifications:TagResource",
        "codestar-notifications:UntagResource",
        "codestar-notifications:createNotificationRule",
        "codestar-notifications:deleteNotificationRule",
        "codestar-notifications:describeNotificationRule",
        "codestar-notifications:updateNotificationRule",
    ),
    "AWS::Events::Rule": (
        "events:DeleteRule",
        "events:DescribeRule",
        "events:ListTagsForResource",
        "events:ListTargetsByRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
        "events:UntagResource",
        "iam:PassRole",
    ),
    "AWS::IAM::Role": (
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:PutRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
    ),
    "AWS::Logs::LogGroup": (
        "logs:AssociateKmsKey",
        "logs:CreateLogGroup",
        "logs:DeleteDataProtectionPolicy",
        "logs:DeleteLogGroup",
        "logs:DeleteRetentionPolicy",
        "logs:DescribeIndexPolicies",
        "logs:DescribeLogGroups",
        "logs:DescribeResourcePolicies",
        "logs:DisassociateKmsKey",
        "logs:GetDataProtectionPolicy",
        "logs:ListTagsForResource",
        "logs:PutDataProtectionPolicy",
        "logs:PutLogGroupDeletionProtection",
        "logs:PutRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
    ),
    "AWS::S3::Bucket": (
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:DeleteBucketWebsite",
        "s3:DeleteObject",
        "s3:GetAccelerateConfiguration",
        "s3:GetAnalyticsConfiguration",
        "s3:GetBucketAbac",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketLogging",
        "s3:GetBucketNotification",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketOwnershipControls",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetBucketWebsite",
        "s3:GetEncryptionConfiguration",
        "s3:GetIntelligentTieringConfiguration",
        "s3:GetInventoryConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetMetricsConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
        "s3:ListTagsForResource",
        "s3:PutAccelerateConfiguration",
        "s3:PutAnalyticsConfiguration",
        "s3:PutBucketAbac",
        "s3:PutBucketAcl",
        "s3:PutBucketCORS",
        "s3:PutBucketLogging",
        "s3:PutBucketNotification",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketTagging",
        "s3:PutBucketVersioning",
        "s3:PutBucketWebsite",
        "s3:PutEncryptionConfiguration",
        "s3:PutIntelligentTieringConfiguration",
        "s3:PutInventoryConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutMetricsConfiguration",
        "s3:PutObjectAcl",
        "s3:PutReplicationConfiguration",
        "s3:TagResource",
        "s3:UntagResource",
    ),
    "AWS::S3::BucketPolicy": (
        "s3:DeleteBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
    ),
    "AWS::SNS::Subscription": (
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:Subscribe",
        "sns:Unsubscribe",
    ),
    "AWS::SNS::Topic": (
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:GetDataProtectionPolicy",
        "sns:GetTopicAttributes",
        "sns:ListSubscriptionsByTopic",
        "sns:ListTagsForResource",
        "sns:PutDataProtectionPolicy",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:TagResource",
        "sns:Unsubscribe",
        "sns:UntagResource",
    ),
    "AWS::SNS::TopicPolicy": ("sns:SetTopicAttributes",),
}

# Schema handler permissions we do not grant, each for a property our stacks never set
# (the handler calls the action only when the property is there).
EXCLUDED_PERMISSIONS: dict[str, str] = {
    "iam:AttachRolePolicy": "our roles have inline policies only, never a managed policy",
    "iam:DetachRolePolicy": "our roles have inline policies only, never a managed policy",
    "iam:PutRolePermissionsBoundary": "our roles have no permissions boundary",
    "iam:DeleteRolePermissionsBoundary": "our roles have no permissions boundary",
    "s3:CreateBucketMetadataTableConfiguration": "no bucket sets MetadataTableConfiguration",
    "s3:GetBucketMetadataTableConfiguration": "no bucket sets MetadataTableConfiguration",
    "s3:DeleteBucketMetadataTableConfiguration": "no bucket sets MetadataTableConfiguration",
    "s3:UpdateBucketMetadataAnnotationTableConfiguration": "no bucket sets MetadataConfiguration",
    "s3:UpdateBucketMetadataInventoryTableConfiguration": "no bucket sets MetadataConfiguration",
    "s3:UpdateBucketMetadataJournalTableConfiguration": "no bucket sets MetadataConfiguration",
    "s3tables:CreateNamespace": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:CreateTable": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:CreateTableBucket": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:GetTable": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:GetTableMetadataLocation": "S3 Tables: only for a bucket's metadata table "
    "configuration",
    "s3tables:PutTableBucketPolicy": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:PutTableEncryption": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:PutTablePolicy": "S3 Tables: only for a bucket's metadata table configuration",
    "s3tables:UpdateTableMetadataLocation": "S3 Tables: only for a bucket's metadata table "
    "configuration",
    "logs:CreateLogDelivery": "no log group sets a log delivery",
    "logs:PutBearerTokenAuthentication": "no log group sets BearerTokenAuthenticationEnabled",
    "logs:PutIndexPolicy": "no log group sets FieldIndexPolicies",
    "logs:DeleteIndexPolicy": "no log group sets FieldIndexPolicies",
    "logs:PutResourcePolicy": "no log group sets ResourcePolicyDocument",
    "logs:DeleteResourcePolicy": "no log group sets ResourcePolicyDocument",
    "firehose:TagDeliveryStream": "no log group delivers to Firehose",
    # The S3 Bucket schema names some API operations that are no IAM action; S3 authorizes
    # them with the action after the colon (Service Authorization Reference, list_amazons3;
    # S3 API reference, e.g. DeleteBucketCors: "you must have the s3:PutBucketCORS
    # permission"). cfn-lint (W3037) rejects the operation names as actions.
    "s3:DeleteBucketAnalyticsConfiguration": "API operation; IAM action "
    "s3:PutAnalyticsConfiguration",
    "s3:DeleteBucketCors": "API operation; IAM action s3:PutBucketCORS",
    "s3:DeleteBucketEncryption": "API operation; IAM action s3:PutEncryptionConfiguration",
    "s3:DeleteBucketLifecycle": "API operation; IAM action s3:PutLifecycleConfiguration",
    "s3:DeleteBucketMetricsConfiguration": "API operation; IAM action s3:PutMetricsConfiguration",
    "s3:DeleteBucketReplication": "API operation; IAM action s3:PutReplicationConfiguration",
    "s3:PutBucketReplication": "API operation; IAM action s3:PutReplicationConfiguration",
    "s3:PutObjectLockConfiguration": "API operation; IAM action "
    "s3:PutBucketObjectLockConfiguration",
    "s3:REST.PUT.OBJECT": "not an IAM action (an S3 REST operation name in the LogGroup schema)",
}

# Per resource type: the roles a type's handler passes for properties our stacks never set
# (the roles our stacks pass go to CodeBuild, CodePipeline and EventBridge only).
EXCLUDED_FOR_TYPE: dict[str, dict[str, str]] = {
    "AWS::S3::Bucket": {"iam:PassRole": "no bucket sets ReplicationConfiguration"},
    "AWS::SNS::Subscription": {
        "iam:GetRole": "no subscription sets SubscriptionRoleArn (Firehose)",
        "iam:PassRole": "no subscription sets SubscriptionRoleArn (Firehose)",
    },
    "AWS::SNS::Topic": {
        "iam:GetRole": "no topic sets DeliveryStatusLogging",
        "iam:PassRole": "no topic sets DeliveryStatusLogging",
    },
}

# Every stack role gets this IAM path, so the execution role's IAM grants can name our
# roles only (IAM user guide, reference_identifiers: "arn:aws:iam::account:role/path/name").
ROLE_PATH = "/pipeline-generator/"

# The services our stacks pass their roles to (CodeBuild projects, the pipeline, the
# source event rule's target), for iam:PassedToService (IAM user guide,
# reference_policies_iam-condition-keys#ck_PassedToService).
PASSED_TO_SERVICES = (
    "codebuild.amazonaws.com",
    "codepipeline.amazonaws.com",
    "events.amazonaws.com",
)


def granted_actions() -> set[str]:
    """Every action the execution role is granted."""
    return {action for actions in HANDLER_PERMISSIONS.values() for action in actions}
