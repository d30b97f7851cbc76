"""The evaluator the permission contract relies on, held to IAM's documented rules."""

from __future__ import annotations

import pytest

from .iam_eval import Request, Unsupported, decide, glob_match

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
