"""Every write to receipts and statements goes through these functions."""

from compliance.services.batches import issue_batch_run, issue_batch_start
from compliance.services.receipts import (
    IssueResult,
    ReceiptRefused,
    SyncResult,
    document_mark_downloaded,
    gift_receiptability,
    gifts_due_for_receipt,
    next_sequences,
    receipt_issue,
    receipt_replace,
    receipt_send,
    receipt_void,
    receipt_void_notice_send,
    receipts_follow_gift,
    receipts_issue_due,
    receipts_send_queue,
    receipts_sync_with_gifts,
)
from compliance.services.statements import (
    statement_send,
    statements_issue,
    statements_send_queue,
)

__all__ = [
    "IssueResult",
    "ReceiptRefused",
    "SyncResult",
    "issue_batch_run",
    "issue_batch_start",
    "gift_receiptability",
    "gifts_due_for_receipt",
    "next_sequences",
    "receipt_issue",
    "document_mark_downloaded",
    "receipt_replace",
    "receipt_send",
    "receipt_void",
    "receipt_void_notice_send",
    "receipts_issue_due",
    "receipts_follow_gift",
    "receipts_send_queue",
    "receipts_sync_with_gifts",
    "statement_send",
    "statements_issue",
    "statements_send_queue",
]
