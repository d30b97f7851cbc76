"""Pipeline and check events to people: an AWS CodeStar Notifications rule, and the SNS
topic it publishes to (the spec's, or one created in the stack with its e-mail
subscriptions).

No role gets a permission for this: CodeStar Notifications publishes as its own service
principal, through a service-linked role created with the account's first rule
(Developer Tools console user guide, using-service-linked-roles), and the created
topic's policy lets that principal publish for this account only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from awacs import sns as sns_actions
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AccountId, AWSObject, Ref
from troposphere.codestarnotifications import NotificationRule, Target
from troposphere.sns import SubscriptionResource, Topic, TopicPolicy

from ..spec.model import Notifications
from .scanners import checkov_skips

TOPIC = "NotificationTopic"
TOPIC_POLICY = "NotificationTopicPolicy"
# CodeStar Notifications rule names: 1-64 characters of [A-Za-z0-9-_ ], unique in the
# account (API reference, CreateNotificationRule).
RULE_NAME_LIMIT = 64


def event_type_ids(wanted: Sequence[str], offered: Mapping[str, str]) -> list[str]:
    """The CodeStar event type IDs for the spec's events this resource emits."""
    return [offered[event] for event in wanted if event in offered]


def created_topic(kms_key: str | None) -> Topic:
    """A topic for this stack. Encrypted with the spec's key when it has one: CodeStar
    Notifications cannot use the AWS managed key aws/sns, whose policy cannot be changed
    to let it in (SNS developer guide, sns-key-management)."""
    topic = Topic(TOPIC)
    if kms_key is not None:
        topic.KmsMasterKeyId = kms_key
    else:
        topic.Metadata = checkov_skips("CKV_AWS_26")
    return topic


def topic_policy(topic: Topic) -> TopicPolicy:
    """CodeStar Notifications may publish, for rules in this account only (Developer Tools
    console user guide, troubleshooting: the policy with aws:SourceAccount)."""
    return TopicPolicy(
        TOPIC_POLICY,
        Topics=[Ref(topic)],
        PolicyDocument=PolicyDocument(
            Version="2012-10-17",
            Statement=[
                Statement(
                    Sid="AWSCodeStarNotificationsPublish",
                    Effect=Allow,
                    Principal=Principal("Service", "codestar-notifications.amazonaws.com"),
                    Action=[sns_actions.Publish],
                    Resource=[Ref(topic)],
                    Condition=Condition(StringEquals("aws:SourceAccount", AccountId)),
                )
            ],
        ),
    )


def email_subscription(topic: Topic, email: str) -> SubscriptionResource:
    """Logical ID from the address, so reordering the list replaces no subscription."""
    digest = hashlib.sha256(email.encode()).hexdigest()[:10].upper()
    return SubscriptionResource(
        f"NotificationEmail{digest}", TopicArn=Ref(topic), Protocol="email", Endpoint=email
    )


def rule(
    title: str, name: str, resource_arn: object, events: list[str], topic: object
) -> NotificationRule:
    return NotificationRule(
        title,
        Name=name[:RULE_NAME_LIMIT],
        DetailType="FULL",
        EventTypeIds=events,
        Resource=resource_arn,
        Targets=[Target(TargetType="SNS", TargetAddress=topic)],
    )


def notification_resources(
    notifications: Notifications,
    *,
    kms_key: str | None,
    rule_title: str,
    rule_name: str,
    resource_arn: object,
    offered: Mapping[str, str],
) -> tuple[list[AWSObject], object | None]:
    """The rule (and a created topic with its policy and subscriptions) for one resource,
    and the topic ARN; nothing when none of the spec's events applies to it."""
    events = event_type_ids(notifications.events, offered)
    if not events:
        return [], None
    if notifications.topic is not None:
        target: object = notifications.topic
        created: list[AWSObject] = []
    else:
        topic = created_topic(kms_key)
        target = Ref(topic)
        created = [topic, topic_policy(topic)]
        created += [email_subscription(topic, email) for email in notifications.emails]
    notification_rule = rule(rule_title, rule_name, resource_arn, events, target)
    if notifications.topic is None:
        # The rule is created only when CodeStar Notifications can publish to the topic
        # (CreateNotificationRule checks the target; Developer Tools console user guide,
        # troubleshooting "set-up-sns-topic-policy"): wait for the topic policy.
        notification_rule.DependsOn = [TOPIC_POLICY]
    return [*created, notification_rule], target
