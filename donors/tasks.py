"""django-q2 tasks: thin, idempotent, each calling one service."""


def globalgiving_sync_task() -> dict:
    from donors.services.globalgiving import globalgiving_sync

    return globalgiving_sync().as_dict()
