"""The outbox: every email the app sends, queued, sent by the workers, retried, visible.

Code that wants to send an email builds a Django ``EmailMessage`` (or
``EmailMultiAlternatives``) as it always did and hands it to
:func:`alongside.outbox.services.email_enqueue` inside its own transaction, instead of
calling ``send()``. The email is stored with the write that caused it (or not at all, if
that write rolls back) and the workers send it after commit; a request never talks to
the mail server.
"""
