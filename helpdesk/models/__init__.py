"""The models, one module per aggregate; importing this registers them all."""

from helpdesk.models.accounts import ROLES
from helpdesk.models.accounts import RoleMembership
from helpdesk.models.accounts import User
from helpdesk.models.base import TenantScoped
from helpdesk.models.figures import RecordedFigure
from helpdesk.models.notifications import MailTemplate
from helpdesk.models.notifications import Notification
from helpdesk.models.notifications import NotificationPreference
from helpdesk.models.notifications import OutboxMessage
from helpdesk.models.sla import SlaClock
from helpdesk.models.surveys import Survey
from helpdesk.models.tallies import DailyTally
from helpdesk.models.tallies import MonthlyTally
from helpdesk.models.tallies import StepTally
from helpdesk.models.tallies import TalliedMeasure
from helpdesk.models.tallies import TallyMark
from helpdesk.models.tallies import WorkedTally
from helpdesk.models.tenancy import Department
from helpdesk.models.tenancy import NonWorkingDay
from helpdesk.models.tenancy import Tenant
from helpdesk.models.tenancy import TenantService
from helpdesk.models.tenancy import Unit
from helpdesk.models.tickets import Attachment
from helpdesk.models.tickets import FolioCounter
from helpdesk.models.tickets import Ticket
from helpdesk.models.tickets import TicketEvent
from helpdesk.models.tickets import TicketLink

__all__ = [
    "ROLES",
    "Attachment",
    "FolioCounter",
    "Ticket",
    "TicketEvent",
    "TicketLink",
    "DailyTally",
    "MonthlyTally",
    "Department",
    "NonWorkingDay",
    "MailTemplate",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "RecordedFigure",
    "SlaClock",
    "Survey",
    "RoleMembership",
    "Tenant",
    "TenantScoped",
    "TallyMark",
    "StepTally",
    "TalliedMeasure",
    "WorkedTally",
    "TenantService",
    "Unit",
    "User",
]
