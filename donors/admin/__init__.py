from donors.admin import (  # noqa: F401
    board,
    campaigns,
    donors,
    gifts,
    imports,
    organization,
    pledges,
    stripe,
)
