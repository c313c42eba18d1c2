from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Receipts and compliance"

    def ready(self) -> None:
        from compliance import audit
        from donors.hooks import money_changed_hook_register

        audit.register()
        # A refund or lost dispute reaches the gift's receipt at once, through the task queue;
        # donors cannot import compliance, so it is told the task's name instead.
        money_changed_hook_register("compliance.tasks.receipts_follow_gift_task")
