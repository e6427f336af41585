"""People who use the help desk and the roles they hold in their tenant."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.base import TenantScoped
from helpdesk.models.base import created_at_column
from helpdesk.models.tenancy import Department
from helpdesk.models.tenancy import Tenant
from helpdesk.models.tenancy import Unit

# requester: belongs to a requesting unit (or is external); coordinator: reviews
# and turns requests; agent: a technician of a handling department.
ROLES = ("requester", "coordinator", "agent", "tenant_admin", "superadmin")
STAFF_ROLES = ("coordinator", "agent", "tenant_admin")
USER_KINDS = ("staff", "media", "citizen")


class User(UserMixin, TenantScoped, db.Model):
    """A person. ``tenant_id`` is empty only for superadmins.

    Scoped like every tenant row; sign-in and the session loader look users up
    with ``all_tenants`` because no tenant is known yet at that point.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="staff")
    organization: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    tenant: Mapped[Tenant | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    department: Mapped[Department | None] = relationship()
    memberships: Mapped[list[RoleMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleMembership.role"
    )

    __table_args__ = (CheckConstraint(f"kind IN {USER_KINDS!r}", name="kind"),)

    @property
    def roles(self) -> set[str]:
        return {membership.role for membership in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return "superadmin" in self.roles or bool(self.roles.intersection(roles))

    @property
    def is_superadmin(self) -> bool:
        return "superadmin" in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles.intersection(STAFF_ROLES)) or self.is_superadmin

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleMembership(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")

    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
    )
