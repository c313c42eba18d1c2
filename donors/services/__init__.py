"""Every write goes through these functions: the admin (saves, deletes, inlines, actions), views,
commands, tasks, imports and the Stripe webhook call them, and nothing else writes the donors
app's records. Each public writer is a ``@service`` (common/door.py): a write made outside one
while a request, task or command runs is refused under tests and logged in production, and
tests/crm/test_one_door.py checks that every admin that lets a role write calls one."""

from donors.services.appeals import appeal_recipients_record
from donors.services.asks import (
    ask_advance,
    ask_create,
    ask_move,
    ask_save,
    asks_close_by_gifts,
    asks_delete,
    task_complete,
    task_create,
    task_reopen,
    task_save,
    tasks_delete,
)
from donors.services.board import (
    board_goal_set,
    board_goals_delete,
    board_goals_save,
    board_member_save,
    board_members_delete,
    committee_save,
    committees_delete,
)
from donors.services.campaigns import (
    campaign_save,
    campaigns_delete,
    fund_save,
    funds_delete,
)
from donors.services.donors import (
    donor_address_add,
    donor_contacts_normalize,
    donor_contacts_save,
    donor_create,
    donor_email_add,
    donor_save,
    donor_tags_set,
    donors_delete,
    donors_mark_not_duplicate,
    interactions_save,
    relationships_save,
    tag_save,
    tags_delete,
)
from donors.services.duplicates import name_variant_save, name_variants_delete
from donors.services.figures import donor_figures_refresh
from donors.services.gifts import (
    gift_delete,
    gift_record,
    gift_save,
    gifts_delete,
    pledges_settle,
    soft_credit_add,
    soft_credit_save,
    soft_credits_delete,
    soft_credits_save,
)
from donors.services.merge import donors_merge, merge_blockers
from donors.services.organization import organization_save
from donors.services.pledges import (
    pledge_create,
    pledge_installments_save,
    pledge_save,
    pledges_delete,
    recurring_plan_create,
    recurring_plan_save,
    recurring_plans_delete,
)
from donors.services.property import (
    property_record_save,
    property_records_delete,
    property_records_save,
)
from donors.services.segments import segment_save, segments_delete
from donors.services.thanks import gift_thanked_mark, gifts_thanked_mark

__all__ = [
    "appeal_recipients_record",
    "segment_save",
    "segments_delete",
    "ask_advance",
    "ask_create",
    "ask_move",
    "ask_save",
    "asks_close_by_gifts",
    "asks_delete",
    "task_complete",
    "task_create",
    "task_reopen",
    "task_save",
    "tasks_delete",
    "board_goal_set",
    "board_goals_delete",
    "board_goals_save",
    "board_member_save",
    "board_members_delete",
    "campaign_save",
    "campaigns_delete",
    "committee_save",
    "committees_delete",
    "donor_address_add",
    "donor_contacts_normalize",
    "donor_contacts_save",
    "donor_create",
    "donor_email_add",
    "donor_figures_refresh",
    "donor_save",
    "donor_tags_set",
    "donors_delete",
    "donors_mark_not_duplicate",
    "donors_merge",
    "fund_save",
    "funds_delete",
    "gift_delete",
    "gift_record",
    "gift_save",
    "gifts_delete",
    "interactions_save",
    "merge_blockers",
    "name_variant_save",
    "name_variants_delete",
    "organization_save",
    "pledge_create",
    "pledge_installments_save",
    "pledge_save",
    "pledges_delete",
    "pledges_settle",
    "property_record_save",
    "property_records_delete",
    "property_records_save",
    "recurring_plan_create",
    "recurring_plan_save",
    "recurring_plans_delete",
    "relationships_save",
    "soft_credit_add",
    "soft_credit_save",
    "soft_credits_delete",
    "soft_credits_save",
    "gift_thanked_mark",
    "gifts_thanked_mark",
    "tag_save",
    "tags_delete",
]
