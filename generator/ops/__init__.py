"""Operations on whole runs and on deployed stacks: generating every template of a run
(`generate`), the caches that make unchanged runs cheap (`cache`, `incremental`),
progress, the template folder as the deploy path reads it (`stackfiles`), `deploy`,
`deploy-all` and `diff`.
"""
