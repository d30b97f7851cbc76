"""The evaluator the permission contract relies on, held to IAM's documented rules."""

from __future__ import annotations

import pytest

from .iam_eval import Caller, Request, Unsupported, decide, decide_as, glob_match, principal_matches

BUCKET = "arn:aws:s3:::example-source"


@pytest.mark.parametrize(
    "pattern, value, expected",
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c.zip", True),  # * crosses "/"
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),  # the bucket is not its objects
        ("arn:aws:s3:::b/source.zip", "arn:aws:s3:::b/source.zip.old", False),
        ("secret:db-??????", "secret:db-AbC123", True),
        ("secret:db-??????", "secret:db-AbC12", False),  # ? is exactly one character
        ("secret:db-??????", "secret:db-extra-AbC123", False),
        (
            "arn:aws:logs:*:1:log-group:g:*",
            "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:x",
            True,
        ),
        ("a.b", "aXb", False),  # "." is literal
    ],
)
def test_glob_matching(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_PUT = _doc({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{BUCKET}/*"]})
# The bucket policy's writer guard: only role w may put objects.
WRITER_GUARD = _doc(
    {
        "Effect": "Deny",
        "Action": ["s3:PutObject"],
        "Resource": [f"{BUCKET}/*"],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::1:role/w"]}},
    }
)
ALLOW_GET = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{BUCKET}/source.zip"]}


@pytest.mark.parametrize(
    "identity, request_, resource_policies, expected",
    [
        ([_doc(ALLOW_GET)], Request("s3:GetObject", f"{BUCKET}/source.zip"), [], "Allow"),
        # Action names are case-insensitive, resources are not.
        ([_doc(ALLOW_GET)], Request("S3:getobject", f"{BUCKET}/source.zip"), [], "Allow"),
        ([_doc(ALLOW_GET)], Request("s3:GetObject", f"{BUCKET}/SOURCE.zip"), [], "ImplicitDeny"),
        ([_doc(ALLOW_GET)], Request("s3:PutObject", f"{BUCKET}/source.zip"), [], "ImplicitDeny"),
        ([], Request("s3:GetObject", f"{BUCKET}/source.zip"), [], "ImplicitDeny"),
        # An explicit deny anywhere wins over an allow.
        (
            [_doc(ALLOW_GET)],
            Request("s3:GetObject", f"{BUCKET}/source.zip", {"aws:SecureTransport": "false"}),
            [
                _doc(
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": ["s3:*"],
                        "Resource": [f"{BUCKET}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                )
            ],
            "ExplicitDeny",
        ),
        (
            [_doc(ALLOW_GET)],
            Request("s3:GetObject", f"{BUCKET}/source.zip", {"aws:SecureTransport": "true"}),
            [
                _doc(
                    {
                        "Effect": "Deny",
                        "Action": ["s3:*"],
                        "Resource": [f"{BUCKET}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": False}},
                    }
                )
            ],
            "Allow",
        ),
        # A condition key missing from the request fails a positive operator...
        (
            [
                _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["iam:PassRole"],
                        "Resource": ["arn:aws:iam::1:role/task"],
                        "Condition": {
                            "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
                        },
                    }
                )
            ],
            Request("iam:PassRole", "arn:aws:iam::1:role/task"),
            [],
            "ImplicitDeny",
        ),
        # ...and satisfies a negated one (the bucket policy's writer guard).
        (
            [ALLOW_PUT],
            Request("s3:PutObject", f"{BUCKET}/source.zip"),
            [WRITER_GUARD],
            "ExplicitDeny",
        ),
        (
            [ALLOW_PUT],
            Request(
                "s3:PutObject",
                f"{BUCKET}/source.zip",
                {"aws:PrincipalArn": "arn:aws:iam::1:role/w"},
            ),
            [WRITER_GUARD],
            "Allow",
        ),
        # Several keys in a condition must all hold; several values of one key are alternatives.
        (
            [
                _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt"],
                        "Resource": ["k"],
                        "Condition": {
                            "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
                            "StringLike": {
                                "kms:EncryptionContext:aws:s3:arn": [
                                    "arn:aws:s3:::a",
                                    "arn:aws:s3:::a/*",
                                ]
                            },
                        },
                    }
                )
            ],
            Request(
                "kms:Decrypt",
                "k",
                {
                    "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b",
                },
            ),
            [],
            "ImplicitDeny",
        ),
    ],
)
def test_decisions(identity, request_, resource_policies, expected) -> None:
    assert decide(identity, request_, resource_policies) == expected


def test_elements_it_does_not_model_are_refused() -> None:
    with pytest.raises(Unsupported):
        decide(
            [_doc({"Effect": "Allow", "NotAction": ["s3:*"], "Resource": ["*"]})],
            Request("a:b", "r"),
        )
    with pytest.raises(Unsupported):
        decide(
            [
                _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["a:b"],
                        "Resource": ["*"],
                        "Condition": {"DateLessThan": {"aws:CurrentTime": "x"}},
                    }
                )
            ],
            Request("a:b", "r", {"aws:CurrentTime": "y"}),
        )


# Cross-account decisions (IAM user guide, "Cross-account policy evaluation logic").
TOOLS, TARGET = "111111111111", "222222222222"
PIPELINE = Caller(f"arn:aws:iam::{TOOLS}:role/pipeline-generator/app-dev-pipeline")
BUILD = Caller(f"arn:aws:iam::{TOOLS}:role/pipeline-generator/app-dev-BuildRole-X")
DEPLOY = Caller(f"arn:aws:iam::{TARGET}:role/pipeline-generator/app-dev-deploy")
DEPLOY_ROLE = DEPLOY.arn
OBJECT = "arn:aws:s3:::app-dev-111111111111/app-dev/BuildOutput/Ab12"
KEY = f"arn:aws:kms:eu-west-1:{TOOLS}:key/0f1e2d3c-4b5a-4697-8877-665544332211"


def _allow(actions: list[str], resources: list[str], **extra: object) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _only(role: str) -> dict:
    return {"ArnEquals": {"aws:PrincipalArn": role}}


TRUST = _doc(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{TOOLS}:root"},
        "Action": ["sts:AssumeRole"],
        "Condition": _only(PIPELINE.arn),
    }
)
ASSUME = _doc(_allow(["sts:AssumeRole"], [DEPLOY_ROLE]))
READ = _doc(_allow(["s3:GetObject"], ["arn:aws:s3:::app-dev-111111111111/*"]))
BUCKET_POLICY = _doc(
    {
        "Principal": {"AWS": f"arn:aws:iam::{TARGET}:root"},
        "Condition": _only(DEPLOY_ROLE),
        **_allow(["s3:GetObject"], ["arn:aws:s3:::app-dev-111111111111/*"]),
    }
)
KEY_ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{TOOLS}:root"},
    "Action": ["kms:*"],
    "Resource": ["*"],
}
DECRYPT = _doc(_allow(["kms:Decrypt"], [KEY]))


@pytest.mark.parametrize(
    "caller, identity, request_, account, policies, required, expected",
    [
        # Both sides allow: the pipeline role may assume the target role.
        (
            PIPELINE,
            [ASSUME],
            Request("sts:AssumeRole", DEPLOY_ROLE),
            TARGET,
            [TRUST],
            True,
            "Allow",
        ),
        # Identity alone, or trust alone, is not enough across accounts.
        (
            PIPELINE,
            [],
            Request("sts:AssumeRole", DEPLOY_ROLE),
            TARGET,
            [TRUST],
            True,
            "ImplicitDeny",
        ),
        (
            PIPELINE,
            [ASSUME],
            Request("sts:AssumeRole", DEPLOY_ROLE),
            TARGET,
            [],
            True,
            "ImplicitDeny",
        ),
        # The account principal admits only the role the aws:PrincipalArn condition names.
        (
            BUILD,
            [ASSUME],
            Request("sts:AssumeRole", DEPLOY_ROLE),
            TARGET,
            [TRUST],
            True,
            "ImplicitDeny",
        ),
        # A bucket policy for another account's role: both sides again.
        (DEPLOY, [READ], Request("s3:GetObject", OBJECT), TOOLS, [BUCKET_POLICY], False, "Allow"),
        (
            DEPLOY,
            [],
            Request("s3:GetObject", OBJECT),
            TOOLS,
            [BUCKET_POLICY],
            False,
            "ImplicitDeny",
        ),
        (DEPLOY, [READ], Request("s3:GetObject", OBJECT), TOOLS, [], False, "ImplicitDeny"),
        # In its own account a role needs no bucket policy...
        (
            BUILD,
            [_doc(_allow(["s3:GetObject"], [OBJECT]))],
            Request("s3:GetObject", OBJECT),
            TOOLS,
            [],
            False,
            "Allow",
        ),
        # ...but always a key policy; the key's own account root delegates to IAM policies.
        (BUILD, [DECRYPT], Request("kms:Decrypt", KEY), TOOLS, [], True, "ImplicitDeny"),
        (BUILD, [DECRYPT], Request("kms:Decrypt", KEY), TOOLS, [_doc(KEY_ROOT)], True, "Allow"),
        (BUILD, [], Request("kms:Decrypt", KEY), TOOLS, [_doc(KEY_ROOT)], True, "ImplicitDeny"),
        # The root statement of the key's account delegates nothing to another account.
        (
            DEPLOY,
            [DECRYPT],
            Request("kms:Decrypt", KEY),
            TOOLS,
            [_doc(KEY_ROOT)],
            True,
            "ImplicitDeny",
        ),
        # A key policy naming the caller itself, in the key's account, needs no IAM policy.
        (
            BUILD,
            [],
            Request("kms:Decrypt", KEY),
            TOOLS,
            [_doc({**KEY_ROOT, "Principal": {"AWS": BUILD.arn}, "Action": ["kms:Decrypt"]})],
            True,
            "Allow",
        ),
        # A service principal: the resource policy alone decides.
        (
            Caller(service="s3.amazonaws.com"),
            [],
            Request("kms:Decrypt", KEY),
            TOOLS,
            [_doc({**KEY_ROOT, "Principal": {"Service": "s3.amazonaws.com"}})],
            True,
            "Allow",
        ),
        (
            Caller(service="s3.amazonaws.com"),
            [],
            Request("kms:Decrypt", KEY),
            TOOLS,
            [_doc(KEY_ROOT)],
            True,
            "ImplicitDeny",
        ),
    ],
)
def test_cross_account_decisions(
    caller, identity, request_, account, policies, required, expected
) -> None:
    decision = decide_as(
        caller, identity, request_, account, policies, resource_policy_required=required
    )
    assert decision == expected


GRANT_GUARD = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["kms:CreateGrant"],
    "Resource": ["*"],
    "Condition": {
        "BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
    },
}


@pytest.mark.parametrize(
    "context, expected",
    [
        ({}, "ExplicitDeny"),  # ...IfExists: a missing key holds
        ({"kms:GrantIsForAWSResource": "false"}, "ExplicitDeny"),
        ({"kms:GrantIsForAWSResource": "true"}, "Allow"),
    ],
)
def test_if_exists_operators(context: dict, expected: str) -> None:
    identity = [_doc(_allow(["kms:CreateGrant"], [KEY]))]
    policies = [_doc(KEY_ROOT, GRANT_GUARD)]
    request = Request("kms:CreateGrant", KEY, context)
    assert (
        decide_as(BUILD, identity, request, TOOLS, policies, resource_policy_required=True)
        == expected
    )


def test_principal_forms() -> None:
    assert principal_matches("*", DEPLOY)
    assert principal_matches({"AWS": TARGET}, DEPLOY)
    assert principal_matches({"AWS": [f"arn:aws:iam::{TOOLS}:root", DEPLOY_ROLE]}, DEPLOY)
    assert not principal_matches({"AWS": f"arn:aws:iam::{TOOLS}:root"}, DEPLOY)
    assert not principal_matches({"AWS": DEPLOY_ROLE + "-other"}, DEPLOY)
    assert not principal_matches({"Service": "codepipeline.amazonaws.com"}, DEPLOY)
    assert principal_matches(
        {"Service": "codepipeline.amazonaws.com"}, Caller(service="codepipeline.amazonaws.com")
    )
    with pytest.raises(Unsupported):
        principal_matches({"Federated": "cognito-identity.amazonaws.com"}, DEPLOY)
    with pytest.raises(Unsupported):
        principal_matches("arn:aws:iam::111111111111:root", DEPLOY)
