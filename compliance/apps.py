from django.apps import AppConfig

from donors import deductible
from donors.hooks import (
    gift_received_hook_register,
    money_changed_hook_register,
    property_changed_hook_register,
)


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Receipts and compliance"

    def ready(self) -> None:
        # lazy: compliance.audit and compliance.services.receipts import models, and Django
        # imports apps.py before the models exist.
        from compliance import audit
        from compliance.services.receipts import _limits_for, benefit_limit_years

        audit.register()
        # The year's benefit limits are kept here; donors.deductible (used by events too)
        # reads them through this source, without importing compliance.
        deductible.benefit_limits_source(_limits_for, benefit_limit_years)
        # A refund or lost dispute reaches the gift's receipt at once, through the task queue;
        # donors cannot import compliance, so it is told the task's name instead.
        money_changed_hook_register("compliance.tasks.receipts_follow_gift_task")
        # A property gift sold or disposed of within three years puts Form 8282 on the calendar.
        property_changed_hook_register("compliance.tasks.form_8282_plan_task")
        # Each new online gift is thanked at once, with its receipt (compliance.services.thanks).
        gift_received_hook_register("compliance.tasks.gift_thank_task")
