from donors.models.asks import Ask, AskStage, Task, TaskKind
from donors.models.board import BoardGoal, BoardMember, BoardRole, Committee
from donors.models.campaign import Campaign, Channel, Fund
from donors.models.dunning import DunningKind, DunningNotice, DunningTemplate, PaymentFailure
from donors.models.donor import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorKind,
    DonorNotDuplicate,
    DonorYearTotal,
    Interaction,
    Relationship,
    Tag,
)
from donors.models.duplicates import NameVariant
from donors.models.globalgiving import GlobalGivingFetch
from donors.models.gift import (
    Gift,
    GiftMethod,
    GiftStatus,
    SoftCredit,
    SoftCreditKind,
    ThankedVia,
    TributeKind,
)
from donors.models.exports import ExportJob
from donors.models.imports import ImportRun, ImportUpload
from donors.models.organization import Organization
from donors.models.outreach import Appeal, AppealChannel, AppealRecipient, Segment
from donors.models.mailing import EmailSuppression, Mailing, MailingRecipient
from donors.models.summary import DonorStanding, GiftMonthTotal, GivingSummary
from donors.models.property import PropertyRecord
from donors.models.pledge import Pledge, PledgeInstallment, PledgeStatus, RecurringPlan
from donors.models.stripe import GiftAdjustment, StripeEvent

__all__ = [
    "EmailSuppression",
    "Mailing",
    "MailingRecipient",
    "Appeal",
    "AppealChannel",
    "AppealRecipient",
    "Segment",
    "Ask",
    "AskStage",
    "Task",
    "TaskKind",
    "BoardGoal",
    "BoardMember",
    "BoardRole",
    "Campaign",
    "Channel",
    "Committee",
    "Donor",
    "DonorAddress",
    "DonorEmail",
    "DonorKind",
    "DonorNotDuplicate",
    "DonorStanding",
    "DonorYearTotal",
    "DunningKind",
    "DunningNotice",
    "DunningTemplate",
    "Fund",
    "Gift",
    "GiftAdjustment",
    "ExportJob",
    "ImportRun",
    "ImportUpload",
    "GlobalGivingFetch",
    "GiftMethod",
    "GiftMonthTotal",
    "GiftStatus",
    "ThankedVia",
    "GivingSummary",
    "Interaction",
    "NameVariant",
    "Organization",
    "PaymentFailure",
    "Pledge",
    "PropertyRecord",
    "PledgeInstallment",
    "PledgeStatus",
    "RecurringPlan",
    "Relationship",
    "SoftCredit",
    "SoftCreditKind",
    "StripeEvent",
    "Tag",
    "TributeKind",
]
