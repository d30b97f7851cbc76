"""AWS facts the generator owns, each with the page it comes from: value lists (webhook
events and filter types, compute types, log retentions), the principals and the actions
that take Resource "*", and the permission contract (the actions AWS documents for each
runtime operation of a service role). Nothing here imports the rest of the package.
"""
