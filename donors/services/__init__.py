"""Every write that matters goes through these functions: views, admin, commands and tasks call
them and nothing else writes donors, gifts, pledges or plans."""

from donors.services.board import board_goal_set
from donors.services.donors import (
    donor_address_add,
    donor_contacts_normalize,
    donor_create,
    donor_email_add,
    donor_save,
)
from donors.services.figures import donor_figures_refresh
from donors.services.gifts import (
    gift_delete,
    gift_record,
    gift_save,
    gifts_delete,
    pledges_settle,
    soft_credit_add,
)
from donors.services.merge import donors_merge, merge_blockers
from donors.services.organization import organization_save
from donors.services.pledges import pledge_create, recurring_plan_create

__all__ = [
    "board_goal_set",
    "donor_address_add",
    "donor_contacts_normalize",
    "donor_create",
    "donor_email_add",
    "donor_figures_refresh",
    "donor_save",
    "donors_merge",
    "gift_delete",
    "gift_record",
    "gift_save",
    "gifts_delete",
    "merge_blockers",
    "organization_save",
    "pledge_create",
    "pledges_settle",
    "recurring_plan_create",
    "soft_credit_add",
]
