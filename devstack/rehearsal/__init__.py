"""`make rehearse`: the real deploy code path, end to end, into a private AWS
(devstack/rehearsal/run.py)."""
