"""Back-office users leave an audit record of every change (django-auditlog): their details,
active flag and role (their groups); the password only as "changed", never its hash."""

from auditlog.registry import auditlog
from django.contrib.auth.models import Group, User


def register() -> None:
    auditlog.register(
        User,
        exclude_fields=["last_login"],
        mask_fields=["password"],
        m2m_fields={"groups"},
    )
    # What a role may do (common.roles keeps it in step with the table; an Administrator may
    # change it in Groups).
    auditlog.register(Group, m2m_fields={"permissions"})
