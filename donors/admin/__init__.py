from donors.admin import (  # noqa: F401
    asks,
    board,
    campaigns,
    donors,
    gifts,
    imports,
    organization,
    pledges,
    stripe,
)
