"""A person's data: everything stored about one email address, found through
the sender index, handed over on request and erased on request (issue 25)."""
