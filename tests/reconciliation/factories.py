"""Factories for the reconciliation's facts: direct inserts of cards, payments, bank lines, vouchers.

Every helper adds rows the way the loaders and the payouts run would leave
them, with literal values the test can check against; `World` keeps the
counters that make ids unique and readable.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from prakerja.audit.models import ImportRun
from prakerja.catalog.models import Course, Provider
from prakerja.kit.clock import utc_now
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.registry.models import Card, Exclusion, Registration
from prakerja.transactions.models import Attendance, InvoiceLine, PlatformEvent, Voucher

D = dt.date
AMOUNT = 600_000
PURCHASED = D(2020, 4, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An instant on a Jakarta business day (10:00 WIB by default), as UTC."""
    jakarta = dt.timezone(dt.timedelta(hours=7))
    return dt.datetime.combine(day, dt.time(hour), tzinfo=jakarta).astimezone(dt.UTC)


@dataclass
class World:
    """Builds the facts of a small program in one session; ids are readable and unique."""

    session: Session
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self._serial)

    def _arrival(self, kind: str) -> int:
        """Record the import that brings a fact now, as a loader does; return its id."""
        now = utc_now()
        run = ImportRun(
            kind=kind,
            file_name=f"{kind}-{self._next()}.csv",
            file_sha256="0" * 64,
            actor="tester",
            started_at=now,
            finished_at=now,
        )
        self.session.add(run)
        self.session.flush()
        return run.id

    def card(self, *, wave: int = 1, scheme: str = "PANDEMIC_2020", revoked_on: D | None = None):
        """Add a registration and its card; return the card number."""
        n = self._next()
        nik = f"3171014708{n:06d}"
        registration = Registration(
            wave=wave, nik=nik, kk_number=f"31710101{n:08d}", full_name=f"Peserta {n}"
        )
        self.session.add(registration)
        self.session.flush()
        number = f"52{n:014d}"
        self.session.add(
            Card(
                card_number=number,
                nik=nik,
                registration_id=registration.id,
                kk_number=registration.kk_number,
                wave=wave,
                scheme=scheme,
                issued_on=D(2020, 4, 17),
                purchase_deadline=D(2020, 5, 17),
                balance_expires_on=D(2020, 12, 15),
                initial_balance_idr=1_000_000,
                balance_idr=1_000_000,
                status="REVOKED" if revoked_on else "ACTIVE",
                revoked_on=revoked_on,
            )
        )
        self.session.flush()
        return number

    def nik_of(self, card_number: str) -> str:
        """The NIK of a card's holder."""
        card = self.session.get(Card, card_number)
        assert card is not None
        return card.nik

    def batch(self, *, partner: str = "OVO", day: D, run: int = 1) -> str:
        """Add a payment batch; its totals are set as instructions join it."""
        batch_id = f"B-{partner}-{day.isoformat()}-{run:02d}"
        self.session.add(
            PaymentBatch(
                batch_id=batch_id,
                partner_code=partner,
                business_date=day,
                run_number=run,
                instruction_count=0,
                total_amount_idr=0,
                created_at=at(day, 6),
            )
        )
        self.session.flush()
        return batch_id

    def instruction(
        self,
        card_number: str,
        *,
        batch: str,
        day: D,
        amount: int = AMOUNT,
        kind: str = "POST_TRAINING",
        tranche: int = 1,
        attempt: int = 1,
        account: str | None = None,
        state: str = "OPEN",
    ) -> str:
        """Add an instruction (and its entitlement the first time); return its id."""
        entitlement = (
            self.session.query(Entitlement)
            .filter_by(card_number=card_number, kind=kind, tranche=tranche)
            .one_or_none()
        )
        if entitlement is None:
            entitlement = Entitlement(
                card_number=card_number,
                kind=kind,
                tranche=tranche,
                amount_idr=amount,
                due_on=day,
                created_at=at(day, 5),
            )
            self.session.add(entitlement)
            self.session.flush()
        batch_row = self.session.get(PaymentBatch, batch)
        assert batch_row is not None
        code = "PT" if kind == "POST_TRAINING" else "SV"
        instruction_id = f"INS-{card_number}-{code}-{tranche:02d}-{attempt:02d}"
        self.session.add(
            Instruction(
                instruction_id=instruction_id,
                batch_id=batch,
                entitlement_id=entitlement.id,
                card_number=card_number,
                kind=kind,
                tranche=tranche,
                attempt=attempt,
                partner_code=batch_row.partner_code,
                account_id=account or f"08{card_number[-10:]}",
                beneficiary_name="PESERTA",
                amount_idr=amount,
                created_on=day,
                created_at=at(day, 6),
                state=state,
            )
        )
        batch_row.instruction_count += 1
        batch_row.total_amount_idr += amount
        self.session.flush()
        return instruction_id

    def result(
        self,
        instruction_id: str,
        *,
        day: D,
        status: str = "SUCCESS",
        amount: int | None = None,
        account: str | None = None,
        txn: str | None = None,
        partner: str | None = None,
        failure_code: str | None = None,
        hour: int = 11,
    ) -> str:
        """Add a partner result answering an instruction (as sent, unless told otherwise)."""
        sent = self.session.get(Instruction, instruction_id)
        txn = txn or f"TX-{self._next():08d}"
        self.session.add(
            PartnerResult(
                partner_code=partner or (sent.partner_code if sent else "OVO"),
                instruction_id=instruction_id,
                partner_txn_id=txn,
                account_id=account or (sent.account_id if sent else "081200000000"),
                amount_idr=amount if amount is not None else (sent.amount_idr if sent else AMOUNT),
                status=status,
                failure_code=failure_code or ("ACCOUNT_NOT_FOUND" if status == "FAILED" else None),
                processed_at=at(day, hour),
                processed_on=day,
                import_run_id=self._arrival("partner-results"),
            )
        )
        if sent is not None and sent.state in ("OPEN", "FAILED"):
            self._settle(sent, status)
        self.session.flush()
        return txn

    def _settle(self, sent: Instruction, status: str) -> None:
        """Move an instruction's state as the payouts flow does (one live per entitlement)."""
        live = (
            self.session.query(Instruction)
            .filter(
                Instruction.entitlement_id == sent.entitlement_id,
                Instruction.instruction_id != sent.instruction_id,
                Instruction.state.in_(("OPEN", "SUCCEEDED")),
            )
            .count()
        )
        if status == "SUCCESS" and not live:
            sent.state = "SUCCEEDED"
        elif status == "FAILED" and sent.state == "OPEN":
            sent.state = "FAILED"

    def cancel(self, instruction_id: str, *, day: D) -> None:
        """Cancel an instruction the partner never executed."""
        sent = self.session.get(Instruction, instruction_id)
        assert sent is not None
        sent.state = "CANCELLED"
        sent.cancelled_on = day
        sent.cancel_reason = "never executed"
        sent.cancelled_by = "tester"
        sent.cancelled_at = utc_now()
        self.session.flush()

    def bank_line(
        self,
        *,
        day: D,
        amount: int,
        direction: str = "DEBIT",
        batch: str | None = None,
        counterparty: str = "OVO",
    ) -> str:
        """Add an escrow statement line; return its bank reference."""
        ref = f"BNI-{day:%Y%m%d}-{self._next():06d}"
        self.session.add(
            BankStatementLine(
                bank_ref=ref,
                statement_date=day,
                counterparty_code=counterparty,
                amount_idr=amount,
                direction=direction,
                batch_id=batch,
                import_run_id=self._arrival("bank-statement"),
            )
        )
        self.session.flush()
        return ref

    def debit_batch(self, batch: str, *, day: D, amount: int | None = None) -> str:
        """Debit the escrow for a batch (its instructions' total unless told otherwise)."""
        row = self.session.get(PaymentBatch, batch)
        assert row is not None
        total = amount if amount is not None else row.total_amount_idr
        return self.bank_line(day=day, amount=total, batch=batch, counterparty=row.partner_code)

    def exclusion(self, card_number: str, *, list_code: str, effective_from: D) -> None:
        """Put a card's holder on a barring list from a day."""
        self.session.add(
            Exclusion(
                nik=self.nik_of(card_number),
                list_code=list_code,
                period=effective_from.strftime("%Y-%m"),
                effective_from=effective_from,
                import_run_id=self._arrival("exclusions"),
            )
        )
        self.session.flush()

    def account(self, card_number: str, *, linked_on: D, hour: int = 8) -> None:
        """Link a payout account."""
        self.session.add(
            PayoutAccount(
                card_number=card_number,
                partner_code="OVO",
                account_id=f"08{card_number[-10:]}{self._next()}",
                account_name="PESERTA",
                linked_at=at(linked_on, hour),
                linked_on=linked_on,
            )
        )
        self.session.flush()

    def voucher(
        self,
        card_number: str,
        *,
        platform: str = "TOKOPEDIA",
        course: str = "C-WEB",
        amount: int = 750_000,
        purchased_on: D = PURCHASED,
        redeemed_on: D | None = None,
        completed_on: D | None = None,
        reviewed_on: D | None = None,
        refunded_on: D | None = None,
    ) -> str:
        """Add a purchase (its PURCHASE event and voucher); return the voucher code."""
        code = f"VCR{self._next():07d}"
        event = PlatformEvent(
            platform_code=platform,
            event_id=f"EV-{code}",
            event_type="PURCHASE",
            occurred_at=at(purchased_on),
            occurred_on=purchased_on,
            card_number=card_number,
            course_code=course,
            voucher_code=code,
            amount_idr=amount,
            state="APPLIED",
            import_run_id=self._arrival("platform-events"),
        )
        self.session.add(event)
        self.session.flush()
        self.session.add(
            Voucher(
                voucher_code=code,
                card_number=card_number,
                course_code=course,
                platform_code=platform,
                purchase_event_id=event.id,
                purchased_at=at(purchased_on),
                purchased_on=purchased_on,
                amount_idr=amount,
                redeemed_at=at(redeemed_on) if redeemed_on else None,
                completed_at=at(completed_on) if completed_on else None,
                completed_on=completed_on,
                reviewed_at=at(reviewed_on) if reviewed_on else None,
                reviewed_on=reviewed_on,
                refunded_at=at(refunded_on) if refunded_on else None,
                refunded_on=refunded_on,
            )
        )
        self.session.flush()
        return code

    def attend(self, voucher_code: str, *sequences: int, day: D, source: str = "PLATFORM") -> None:
        """Record sessions attended on a day."""
        for sequence in sequences:
            self.session.add(
                Attendance(
                    voucher_code=voucher_code,
                    sequence=sequence,
                    source=source,
                    recorded_at=at(day, 20),
                )
            )
        self.session.flush()

    def invoice(
        self,
        voucher_code: str,
        *,
        invoice_no: str,
        day: D,
        amount: int = 750_000,
        platform: str = "TOKOPEDIA",
    ) -> None:
        """Add a platform invoice line."""
        self.session.add(
            InvoiceLine(
                platform_code=platform,
                invoice_no=invoice_no,
                voucher_code=voucher_code,
                amount_idr=amount,
                invoiced_on=day,
                payable=True,
                import_run_id=self._arrival("platform-invoices"),
            )
        )
        self.session.flush()

    def course(self, code: str, *, course_type: str, sessions: int) -> None:
        """Add a catalog course (its provider too, if new) of a type and number of sessions."""
        if self.session.get(Provider, "LP-TEST") is None:
            self.session.add(Provider(provider_code="LP-TEST", provider_name="Lembaga Uji"))
            self.session.flush()
        self.session.add(
            Course(
                course_code=code,
                title=f"Kursus {code}",
                provider_code="LP-TEST",
                price_idr=750_000,
                hours=8,
                course_type=course_type,
                sessions=sessions,
                is_bundle=False,
            )
        )
        self.session.flush()
