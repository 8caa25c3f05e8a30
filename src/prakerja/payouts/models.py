"""Tables of the payout flow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class PayoutAccount(Base):
    """A bank or e-wallet account a participant linked; the latest by `linked_at` applies."""

    __tablename__ = "payout_accounts"
    __table_args__ = (
        UniqueConstraint("card_number", "linked_at", "partner_code", "account_id"),
        Index("ix_payout_accounts_card_number", "card_number"),
        Index("ix_payout_accounts_account", "account_id", "partner_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16))
    partner_code: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str] = mapped_column(String(60))
    account_name: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    linked_on: Mapped[dt.date]
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)


class Entitlement(Base):
    """What one participant is owed: (card, kind, tranche), once, with when it fell due."""

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("card_number", "kind", "tranche"),
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        CheckConstraint("tranche >= 1", name="tranche_from_one"),
        CheckConstraint("kind IN ('POST_TRAINING', 'SURVEY')", name="known_kind"),
        Index("ix_entitlements_due_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    tranche: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    due_on: Mapped[dt.date]
    held_from: Mapped[dt.date | None]
    """The day a barring list (or a revocation) holds this entitlement from, if any."""
    held_reason: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_on: Mapped[dt.date | None]
    """The business day that found it due (a payouts run's `--date`, an answer's day)."""
    paid_on: Mapped[dt.date | None]
    """The day of its earliest SUCCESS, set once any is known (survey windows hang on it)."""


class PaymentBatch(Base):
    """One partner's instructions of one payouts run (one file, one escrow debit)."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        CheckConstraint("length(batch_id) <= 35", name="batch_id_fits_end_to_end_id"),
        UniqueConstraint("partner_code", "business_date", "run_number"),
    )

    batch_id: Mapped[str] = mapped_column(String(35), primary_key=True)
    partner_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[dt.date]
    run_number: Mapped[int] = mapped_column(Integer)
    instruction_count: Mapped[int] = mapped_column(Integer)
    total_amount_idr: Mapped[int] = mapped_column(Rupiah)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    files_written_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """When its rows were put in their instructions file (renamed into place); null: not yet."""


class Instruction(Base):
    """A disbursement instruction (perintah bayar): one attempt to pay one entitlement.

    The partial unique index makes a second live instruction (open or
    succeeded) for the same entitlement impossible, whatever the code does.
    """

    __tablename__ = "instructions"
    __table_args__ = (
        UniqueConstraint("entitlement_id", "attempt"),
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        CheckConstraint("attempt >= 1", name="attempt_from_one"),
        Index(
            "uq_instructions_one_live_per_entitlement",
            "entitlement_id",
            unique=True,
            sqlite_where=text("state IN ('OPEN', 'SUCCEEDED')"),
            postgresql_where=text("state IN ('OPEN', 'SUCCEEDED')"),
        ),
        Index("ix_instructions_batch_id", "batch_id"),
        Index("ix_instructions_card_number", "card_number"),
        Index("ix_instructions_created_on", "created_on"),
        CheckConstraint(
            "state IN ('OPEN', 'SUCCEEDED', 'FAILED', 'CANCELLED')", name="known_state"
        ),
        CheckConstraint(
            "state <> 'CANCELLED' OR cancelled_on IS NOT NULL", name="cancelled_has_a_day"
        ),
    )

    instruction_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("payment_batches.batch_id"))
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"))
    card_number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    tranche: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    partner_code: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str] = mapped_column(String(60))
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    created_on: Mapped[dt.date]
    """The payouts run's business day (`--date`)."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(10))
    cancelled_on: Mapped[dt.date | None]
    """The business day of the cancel: the next run of that day or later instructs again."""
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """The wall-clock instant the operator cancelled it (null for rows older than the column)."""
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    result_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """`processed_at` of the partner result that settled the state (first SUCCESS or FAILED)."""
    result_txn_id: Mapped[str | None] = mapped_column(String(80))
    """`partner_txn_id` of that result."""


class PartnerResult(Base):
    """A payment partner's answer, kept as it came even when it contradicts the instruction."""

    __tablename__ = "partner_results"
    __table_args__ = (
        UniqueConstraint("partner_code", "partner_txn_id"),
        Index("ix_partner_results_instruction_id", "instruction_id"),
        Index("ix_partner_results_import_run_id", "import_run_id"),
        CheckConstraint("status IN ('SUCCESS', 'FAILED')", name="known_status"),
        CheckConstraint("amount_idr >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    partner_code: Mapped[str] = mapped_column(String(20))
    instruction_id: Mapped[str] = mapped_column(String(60))
    partner_txn_id: Mapped[str] = mapped_column(String(80))
    account_id: Mapped[str] = mapped_column(String(60))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    status: Mapped[str] = mapped_column(String(10))
    failure_code: Mapped[str | None] = mapped_column(String(30))
    processed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    processed_on: Mapped[dt.date]
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
    source_line: Mapped[int | None] = mapped_column(Integer)


class BankStatementLine(Base):
    """One transfer on the program's escrow account (rekening dana), keyed by the bank's ref."""

    __tablename__ = "bank_statement_lines"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        CheckConstraint("direction IN ('DEBIT', 'CREDIT')", name="known_direction"),
        Index("ix_bank_statement_lines_batch_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    bank_ref: Mapped[str] = mapped_column(String(80), unique=True)
    statement_date: Mapped[dt.date]
    counterparty_code: Mapped[str] = mapped_column(String(20))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    direction: Mapped[str] = mapped_column(String(6))
    batch_id: Mapped[str | None] = mapped_column(String(35))
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
    source_line: Mapped[int | None] = mapped_column(Integer)


class PostTrainingNext(Base):
    """The day a card's next post-training tranche falls due by time alone, per the full rule.

    Kept by the day's time rules for every card whose series is incomplete and
    whose next date is known (first training completed and reviewed, an
    account linked); a card whose facts change is evaluated again anyway.
    """

    __tablename__ = "post_training_next"
    __table_args__ = (Index("ix_post_training_next_due_on", "next_due_on"),)

    card_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_due_on: Mapped[dt.date]


class TimeRulesRun(Base):
    """The latest business day the post-training rule was evaluated to, and under which schemes.

    One row. No row (a new database, or one just migrated): the next
    evaluation reads every card, and fills `post_training_next`.
    """

    __tablename__ = "time_rules_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    evaluated_on: Mapped[dt.date]
    schemes: Mapped[str] = mapped_column(String(64))
    """A digest of the schemes' post-training rules the dates in `post_training_next` follow."""
