from tests.contact.conftest import pump, submit
from tests.dashboard.conftest import mails_to, reply, services, thread, visitor

__all__ = ["mails_to", "pump", "reply", "services", "submit", "thread", "visitor"]
