import hashlib

from django.db import transaction

from common.door import service
from donors.models import Organization
from donors.services.month_totals import gift_month_totals_rebuild
from donors.services.standings import donor_standings_rebuild


@service
@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    organization.pk = 1
    logo = bytes(organization.logo or b"")
    organization.logo = logo
    # Printers of receipts cache the decoded logo by this digest (compliance.pdf_logo).
    organization.logo_sha256 = hashlib.sha256(logo).hexdigest() if logo else ""
    organization.full_clean()
    before, start_month_before = (
        Organization.objects.filter(pk=1)
        .values_list("major_gift_threshold", "fiscal_year_start_month")
        .first()
    ) or (None, None)
    organization.save()
    if (start_month_before or 1) != organization.fiscal_year_start_month:
        # The dashboard's standings are by fiscal year (the calendar year without a profile):
        # count them again in the new years.
        donor_standings_rebuild()
    if before != organization.major_gift_threshold:
        # The gifts' channels (major or not) are summed with the threshold (the triggers read
        # it from this row from now on): recount what was summed with the old one.
        gift_month_totals_rebuild()
    return organization
