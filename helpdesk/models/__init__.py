"""The models, one module per aggregate; importing this registers them all."""

from helpdesk.models.accounts import ROLES
from helpdesk.models.accounts import RoleMembership
from helpdesk.models.accounts import User
from helpdesk.models.base import TenantScoped
from helpdesk.models.tenancy import Department
from helpdesk.models.tenancy import Tenant
from helpdesk.models.tenancy import TenantService
from helpdesk.models.tenancy import Unit

__all__ = [
    "ROLES",
    "Department",
    "RoleMembership",
    "Tenant",
    "TenantScoped",
    "TenantService",
    "Unit",
    "User",
]
