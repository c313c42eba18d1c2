"""The admins other packages register (users and groups, the audit log, the task queue), put on
the back office's base like every admin of ours: their lists too answer only the filters they
offer (donors.admin.base.BackOfficeAdmin). Their pages are otherwise theirs, unchanged."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django_q.models import Failure, OrmQ, Schedule, Success

from donors.admin.base import BackOfficeAdmin


def _on_back_office_base(model, **attributes) -> None:
    if not admin.site.is_registered(model):
        return  # django-q2 registers its queue only with the ORM broker
    original = type(admin.site._registry[model])
    if issubclass(original, BackOfficeAdmin):
        return
    admin.site.unregister(model)
    admin.site.register(model, type(original.__name__, (BackOfficeAdmin, original), attributes))


_on_back_office_base(User)
_on_back_office_base(Group)
# The entry's author is shown by name to Staff, who may not open users.
_on_back_office_base(LogEntry, shown_through=("actor",))
for _model in (Schedule, Success, Failure, OrmQ):
    _on_back_office_base(_model)
