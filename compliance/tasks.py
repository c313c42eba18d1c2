"""django-q2 tasks: thin, idempotent, taking primary keys and calling services."""

from compliance import services


def receipt_send_task(receipt_id: int) -> str:
    return services.receipt_send(receipt_id=receipt_id)


def receipt_void_notice_task(receipt_id: int) -> str:
    return services.receipt_void_notice_send(receipt_id=receipt_id)


def receipts_sync_task() -> str:
    result = services.receipts_sync_with_gifts()
    return f"{len(result.voided)} voided, {len(result.corrected)} corrected"


def statement_send_task(statement_id: int) -> str:
    return services.statement_send(statement_id=statement_id)


def statement_batch_task(batch_id: int) -> str:
    batch = services.statement_batch_run(batch_id=batch_id)
    return f"{batch.issued} statements issued for {batch.year}"
