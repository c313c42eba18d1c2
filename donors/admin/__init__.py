from donors.admin import board, campaigns, donors, gifts, imports, organization, pledges  # noqa: F401
