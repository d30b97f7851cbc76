"""The validated spec -> one troposphere Template per (service, environment).

`compose.py` wires the stack; one module per AWS service family builds its resources
(`s3`, `iam`, `codebuild`, `codepipeline`, `events`, `logs`); `parameters` are the
deploy-time parameters, `naming` the logical IDs (a contract: never rename one), `bootstrap`
the per-Git-host account stacks, `operations` which documented operations each role
performs. A new resource goes in its service module and is wired in `compose.py`.
"""
