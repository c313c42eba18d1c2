"""Which changes leave an audit record (django-auditlog): money, contact data and consent, tags,
campaigns and funds, interactions and relationships, the board. Bulk writes record theirs through
common.audit.log_bulk (a merge's moves)."""

from auditlog.registry import auditlog

from donors import models as m


def _reverse_relations(model) -> list[str]:
    """The records pointing at ``model`` (a gift's receipts, its event ticket): not the
    record's own data, and on a creation auditlog would read each one-to-one of them (a query
    each, for nothing: a new record has none) and log each list as a changed "field"."""
    return [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]


def register() -> None:
    figures = [
        "first_gift_date",
        "last_gift_date",
        "lifetime_total",
        "largest_gift",
        "gift_count",
        "years_given",
        "updated_at",
        "display_name",
        "sort_name",
    ]
    auditlog.register(
        m.Donor, exclude_fields=figures + _reverse_relations(m.Donor), m2m_fields={"tags"}
    )
    auditlog.register(m.DonorEmail)
    auditlog.register(m.DonorAddress)
    auditlog.register(
        m.Gift, exclude_fields=["updated_at", "created_at", *_reverse_relations(m.Gift)]
    )
    auditlog.register(m.SoftCredit)
    auditlog.register(m.PropertyRecord)
    auditlog.register(m.Pledge)
    auditlog.register(m.PledgeInstallment)
    auditlog.register(m.RecurringPlan, exclude_fields=["updated_at", "created_at"])
    # The logo is logged by its digest, not its bytes.
    auditlog.register(m.Organization, exclude_fields=["updated_at", "logo"])
    auditlog.register(m.BoardMember, m2m_fields={"committees"})
    auditlog.register(m.BoardGoal)
    auditlog.register(m.Ask)
    auditlog.register(m.Task)
    auditlog.register(m.GiftAdjustment, exclude_fields=["updated_at"])
    auditlog.register(m.PaymentFailure)
    auditlog.register(m.DunningNotice)
    auditlog.register(m.DunningTemplate, exclude_fields=["updated_at"])
    auditlog.register(m.Campaign)
    # Reaching donors: segments (their criteria) and appeals; who an appeal asked is written in
    # bulk and recorded by common.audit.log_bulk.
    auditlog.register(m.Segment, exclude_fields=["created_at", "updated_at"])
    auditlog.register(m.Appeal, exclude_fields=["created_at", "updated_at"])
    # Mailings (their words and status) and suppressions; each recipient's row is written in
    # bulk (common.audit.log_bulk when it is queued) and its sending is the mailing's counts.
    auditlog.register(
        m.Mailing,
        exclude_fields=["created_at", "updated_at", "sent_count", "failed_count", "skipped_count"],
    )
    auditlog.register(m.EmailSuppression, exclude_fields=["blocked_count", "last_blocked_at"])
    auditlog.register(m.Fund)
    auditlog.register(m.Tag)
    auditlog.register(m.Committee)
    auditlog.register(m.Interaction, exclude_fields=["created_at"])
    auditlog.register(m.Relationship)
    # Staff said two donors are different people: the duplicates page stops pairing them.
    auditlog.register(m.DonorNotDuplicate, exclude_fields=["marked_at"])
    # The spelling variants that decide which names the duplicates page treats as one.
    auditlog.register(m.NameVariant)
