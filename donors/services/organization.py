from django.db import transaction

from donors.models import Organization


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    organization.pk = 1
    organization.full_clean()
    organization.save()
    return organization
