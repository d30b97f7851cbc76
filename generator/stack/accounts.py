"""Names and principals that cross accounts: the one place a literal account id from the
spec's `delivery` and `environments.<env>.account` becomes an ARN or a principal.

Every cross-account principal is an account principal narrowed to one role by an
`aws:PrincipalArn` condition: a policy that names a role ARN which does not exist yet is
refused ("Invalid principal in policy"), the account principal with the condition is
accepted and still admits only that role (IAM user guide, "IAM JSON policy elements:
Principal", AWS principals; "AWS global condition context keys", aws:PrincipalArn).
No policy trusts a whole account, an organization or "*".
"""

from __future__ import annotations

from awacs.aws import Action, Allow, ArnEquals, Condition, ConditionElement, Principal, Statement
from troposphere import Sub

from ..aws.deployer import ROLE_PATH
from ..spec.model import Spec
from . import naming

# The stack in the tools account that holds the delivery key (one per account and Region),
# and the export the pipeline stacks read its ARN from.
DELIVERY_STACK = "pipeline-delivery"
ARTIFACT_KEY_EXPORT = DELIVERY_STACK + "-ArtifactKeyArn"


def role_arn(account: str, name: str) -> Sub:
    """arn:${AWS::Partition}:iam::<account>:role/pipeline-generator/<name>."""
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:role{ROLE_PATH}{name}")


def role_arn_text(account: str, name: str, partition: str = "aws") -> str:
    """The same ARN as text, for reports and tests."""
    return f"arn:{partition}:iam::{account}:role{ROLE_PATH}{name}"


def account_principal(account: str) -> Principal:
    return Principal("AWS", Sub(f"arn:${{AWS::Partition}}:iam::{account}:root"))


def only_role(arn: Sub) -> Condition:
    """The request comes from this role's sessions (aws:PrincipalArn is the role's ARN,
    with its path, for a role session)."""
    return Condition(ArnEquals("aws:PrincipalArn", arn))


def pipeline_role_name(spec: Spec, env: str) -> str:
    """The tools pipeline role of a stack with a cross-account deploy is named, so that
    the target account's trust, key and bucket policies can name it exactly; env's
    pipeline is its chain's (the first environment's)."""
    return f"{naming.stack_name(spec.service, spec.head_of(env))}-pipeline"


def deploy_role_name(spec: Spec, env: str) -> str:
    return f"{naming.stack_name(spec.service, env)}-deploy"


def tools_account(spec: Spec) -> str:
    assert spec.delivery is not None
    return spec.delivery.tools_account


def pipeline_account(spec: Spec) -> str:
    """The tools account, or (one account) the account the stack is deployed in."""
    return spec.delivery.tools_account if spec.delivery is not None else "${AWS::AccountId}"


def pipeline_role_arn(spec: Spec, env: str) -> Sub:
    return role_arn(pipeline_account(spec), pipeline_role_name(spec, env))


def deploy_role_arn(spec: Spec, env: str) -> Sub:
    account = spec.environments[env].account
    assert account is not None
    return role_arn(account, deploy_role_name(spec, env))


def artifact_bucket_name(spec: Spec, env: str) -> str:
    """The artifact bucket of a stack with a cross-account deploy is named (at most 48 + 13
    characters) so that the target deploy role's policy can name it: `<stack>-<tools
    account>`. Bucket names are global; the account makes the name the tools account's."""
    return f"{naming.stack_name(spec.service, spec.head_of(env))}-{tools_account(spec)}"


def artifact_bucket_arn(spec: Spec, env: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:s3:::{artifact_bucket_name(spec, env)}")


def is_cross_account(spec: Spec, env: str) -> bool:
    """env deploys into another account than the tools account."""
    return env in spec.environments and spec.environments[env].account is not None


def names_pipeline_role(spec: Spec, head: str) -> bool:
    """The pipeline role of head's stack has a name: a target account's trust or a
    regional artifact store's bucket policy names it."""
    return crosses_accounts(spec, head) or any(
        spec.environments[env].regions for env in spec.chain(head)
    )


def crosses_accounts(spec: Spec, head: str) -> bool:
    """The pipeline of head deploys into another account in some stage."""
    return head in spec.environments and any(
        is_cross_account(spec, env) for env in spec.chain(head)
    )


def allow_role_of(
    account: str,
    role: Sub,
    actions: list[Action],
    resources: list[object],
    *conditions: ConditionElement,
) -> Statement:
    """A resource-policy statement (bucket or key policy) for one role of another account:
    its account as principal, narrowed to the role by aws:PrincipalArn."""
    return Statement(
        Effect=Allow,
        Principal=account_principal(account),
        Action=actions,
        Resource=resources,
        Condition=Condition([ArnEquals("aws:PrincipalArn", role), *conditions]),
    )
