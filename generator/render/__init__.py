"""Template -> the exact bytes written: plain data in a reviewer's order, JSON, the YAML
emitter, and the all-or-nothing writer that respects the user's umask.
"""
