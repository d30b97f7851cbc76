"""The account bootstrap stack: CodeBuild's stored source credential for Bitbucket
or GitHub, read from a Secrets Manager secret, so CodeBuild can create the
webhooks of every pipeline stack that has no `repository.connection`.

CodeBuild keeps one source credential per server type per account and region
(AWS::CodeBuild::SourceCredential); deploy this stack once per provider and region.
"""

from __future__ import annotations

from troposphere import Equals, If, Not, NoValue, Output, Parameter, Ref, Sub, Template
from troposphere.codebuild import SourceCredential

from . import __version__

STACK_NAME = "pipeline-bootstrap"
FILE_STEM = "bootstrap"


def compose_bootstrap() -> Template:
    template = Template(
        Description=(
            "Account bootstrap for pipeline-template-generator stacks: CodeBuild's source "
            f"credential for Bitbucket or GitHub (generator {__version__})."
        )
    )
    template.set_version("2010-09-09")
    template.set_metadata(
        {
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [
                    {
                        "Label": {"default": "Git host"},
                        "Parameters": ["ServerType", "Username", "TokenSecretName"],
                    }
                ],
                "ParameterLabels": {
                    "ServerType": {"default": "Git host"},
                    "Username": {"default": "Bitbucket user name"},
                    "TokenSecretName": {"default": "Secrets Manager secret with the token"},
                },
            }
        }
    )
    template.add_parameter(
        [
            Parameter(
                "ServerType",
                Type="String",
                AllowedValues=["BITBUCKET", "GITHUB"],
                Default="BITBUCKET",
                Description="Which Git host the credential is for",
            ),
            Parameter(
                "Username",
                Type="String",
                Default="",
                AllowedPattern=r"^[A-Za-z0-9_.@+-]{0,100}$",
                ConstraintDescription="a Bitbucket user name (letters, digits, _ . @ + -)",
                Description="Bitbucket only: the user that owns the app password",
            ),
            Parameter(
                "TokenSecretName",
                Type="String",
                AllowedPattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$",
                ConstraintDescription="a Secrets Manager secret name",
                Description="Secret whose SecretString is the Bitbucket app password or the "
                "GitHub personal access token",
            ),
        ]
    )
    template.add_condition("IsBitbucket", Equals(Ref("ServerType"), "BITBUCKET"))
    template.add_rule(
        "BitbucketNeedsUsername",
        {
            "RuleCondition": Equals(Ref("ServerType"), "BITBUCKET"),
            "Assertions": [
                {
                    "Assert": Not(Equals(Ref("Username"), "")),
                    "AssertDescription": "A Bitbucket app password needs its user's name",
                }
            ],
        },
    )
    template.add_resource(
        SourceCredential(
            "SourceCredential",
            ServerType=Ref("ServerType"),
            AuthType=If("IsBitbucket", "BASIC_AUTH", "PERSONAL_ACCESS_TOKEN"),
            Username=If("IsBitbucket", Ref("Username"), NoValue),
            # A dynamic reference: CloudFormation reads the secret at deploy time, so
            # the token never appears in the template, its parameters or the stack events.
            Token=Sub("{{resolve:secretsmanager:${TokenSecretName}}}"),
        )
    )
    template.add_output(
        Output(
            "SourceCredentialArn",
            Description="The stored source credential CodeBuild uses for webhooks",
            Value=Ref("SourceCredential"),
        )
    )
    return template
