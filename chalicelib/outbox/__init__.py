"""The outbox: deliver what a stored record asks to be sent, exactly once.

One mechanism (claim -> send -> settle, with backoff), many kinds of delivery:
the owner's mail of a contact message, an admin's reply, a chat post. Every
delivery is an item of one shape (kind.py), each kind declared once with the
one way in and out (kinds.py), delivered by outbox.py. Deliveries stored in
the shape before are rewritten by `make deploy` (infra/delivery_upgrade.py).
"""
