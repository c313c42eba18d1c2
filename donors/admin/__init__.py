from donors.admin import (  # noqa: F401
    asks,
    board,
    campaigns,
    donors,
    dunning,
    gifts,
    imports,
    mailings,
    organization,
    pledges,
    stripe,
)
