from donors.admin import board, campaigns, donors, gifts, organization, pledges  # noqa: F401
