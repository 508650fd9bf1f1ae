"""The outbox: deliver what a stored item asks to be sent, exactly once.

One mechanism (claim -> send -> settle, with backoff), many kinds of delivery:
the owner's notification of a contact message, an admin's reply. A kind says
where its state lives in the item and how to send it (chalicelib/outbox/kind.py).
"""
