from donors.admin import (  # noqa: F401
    appeals,
    asks,
    board,
    campaigns,
    donors,
    dunning,
    gifts,
    imports,
    organization,
    pledges,
    segments,
    stripe,
)
