"""The autoresponder: a form's confirmation mail to the visitor who posted it,
built so that it cannot be turned into a mail relay.

- decision.py: whether a new message asks for one, from the form, the posted
  values and the submission's verdict (never for a post judged not a person's);
- limit.py: at most one per address per form in 24 hours, held by a claim item
  written in the transaction that stores the message;
- plan.py: what that transaction writes for it (the delivery, the claim, the
  summary on the message), and what it writes instead when the claim is held;
- mail.py: the mail, from the form's text and the three merge tags only;
- sender.py: the outbox's delivery kind that sends it.

Nothing a visitor typed reaches the mail but the address it is sent to, checked
as one address; the subject, body, From and Reply-To are the site's.
"""
