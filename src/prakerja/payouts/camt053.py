"""Read an ISO 20022 camt.053 bank-to-customer statement into the bank-statement columns.

One `Ntry` is one transfer: `BookgDt/Dt` the statement date (`DtTm`'s day
when only that is given), `AcctSvcrRef` the bank reference, `CdtDbtInd`
(`DBIT`/`CRDT`) the direction, `Amt` the amount (written with decimals; a
fraction of a rupiah is left as written, so that the amount check rejects
it), `NtryDtls/TxDtls/Refs/EndToEndId` the batch id, and the `Nm` of the
creditor (for a debit) or the debtor (for a credit) the counterparty. The
parser is the standard library's SAX reader behind `defusedxml` (no
entities, no external references); each entry keeps the line of its
`<Ntry>` tag, so that rejects name a line of the file. Namespaces and
message versions (001.02 .. 001.13) are matched by local element names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from prakerja.ingest.errors import FileUnusableError
from prakerja.ingest.reader import RawFile, ShapeReject

#: The bank-statement columns a camt.053 entry fills.
COLUMNS = (
    "statement_date",
    "bank_ref",
    "counterparty_code",
    "amount_idr",
    "direction",
    "batch_id",
)
_DIRECTIONS = {"DBIT": "DEBIT", "CRDT": "CREDIT"}
_WHOLE_WITH_DECIMALS = re.compile(r"^(-?[0-9]+)(\.0+)?$")
_CURRENCY = "IDR"


def _rupiah_text(amount: str) -> str:
    """Return `1200000` for `1200000.00`; any other text unchanged (the check judges it)."""
    match = _WHOLE_WITH_DECIMALS.match(amount.strip())
    return match.group(1) if match else amount.strip()


@dataclass
class _Entry:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    currency: str = ""
    creditor: str = ""
    debtor: str = ""


class _StatementHandler(ContentHandler):
    """Collect each `Ntry`'s facts by the local names of the elements around them."""

    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.path: list[str] = []
        self.text: list[str] = []
        self.entries: list[_Entry] = []
        self.current: _Entry | None = None
        self.root_ok = False

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX API name
        """Keep the locator, for line numbers."""
        self.locator = locator

    def startElementNS(  # noqa: N802 - SAX API name
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        """Open an element; an `Ntry` starts a new entry at its line."""
        local = name[1]
        if not self.path:
            self.root_ok = local == "Document"
        self.path.append(local)
        self.text = []
        if local == "Ntry" and "Stmt" in self.path:
            line = (self.locator.getLineNumber() if self.locator else None) or 0
            self.current = _Entry(line=line)
        elif local == "Amt" and self.current is not None and self._under("Ntry", 1):
            self.current.currency = str(attrs.get((None, "Ccy"), ""))

    def characters(self, content: str) -> None:
        """Gather an element's text."""
        self.text.append(content)

    def _under(self, ancestor: str, depth: int) -> bool:
        """Return True when the current element is `depth` levels below `ancestor`."""
        return len(self.path) > depth and self.path[-1 - depth] == ancestor

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        """Close an element, filing its text where the statement's schema puts it."""
        value = "".join(self.text).strip()
        entry = self.current
        local = name[1]
        if entry is not None:
            self._file(entry, local, value)
        if local == "Ntry" and entry is not None:
            self.entries.append(entry)
            self.current = None
        self.path.pop()
        self.text = []

    def _file(self, entry: _Entry, local: str, value: str) -> None:
        path = self.path
        tail = path[path.index("Ntry") + 1 :] if "Ntry" in path else []
        if tail == ["Amt"]:
            entry.values["amount_idr"] = value
        elif tail == ["CdtDbtInd"]:
            entry.values["direction"] = _DIRECTIONS.get(value, value)
        elif tail == ["AcctSvcrRef"]:
            entry.values["bank_ref"] = value
        elif tail[:1] == ["BookgDt"] and local in ("Dt", "DtTm"):
            entry.values.setdefault("statement_date", value[:10])
        elif local == "EndToEndId" and "TxDtls" in tail and "Refs" in tail:
            entry.values.setdefault("batch_id", value)
        elif local == "Nm" and "RltdPties" in tail[:-2]:
            party = tail[tail.index("RltdPties") + 1]
            if party == "Cdtr" and not entry.creditor:
                entry.creditor = value
            elif party == "Dbtr" and not entry.debtor:
                entry.debtor = value


def read_statement(path: Path) -> RawFile:
    """Read a camt.053 file into the bank-statement columns, one row per `Ntry`."""
    handler = _StatementHandler()
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(str(path))
    except FileNotFoundError as exc:
        raise FileUnusableError(f"{path}: no such file") from exc
    except (SAXException, DefusedXmlException, OSError) as exc:
        raise FileUnusableError(f"{path}: not a readable ISO 20022 XML file ({exc})") from exc
    if not handler.root_ok:
        raise FileUnusableError(f"{path}: not an ISO 20022 document (no <Document> root)")
    columns: dict[str, list[str]] = {name: [] for name in COLUMNS}
    lines: list[int] = []
    rejects: list[ShapeReject] = []
    for entry in handler.entries:
        direction = entry.values.get("direction", "")
        entry.values["counterparty_code"] = (
            entry.creditor
            if direction == "DEBIT"
            else entry.debtor
            if direction == "CREDIT"
            else ""
        )
        entry.values["amount_idr"] = _rupiah_text(entry.values.get("amount_idr", ""))
        values = {name: entry.values.get(name, "") for name in COLUMNS}
        if entry.currency and entry.currency != _CURRENCY:
            rejects.append(
                ShapeReject(entry.line, f"amount in {entry.currency}, not {_CURRENCY}", values)
            )
            continue
        for name in COLUMNS:
            columns[name].append(values[name])
        lines.append(entry.line)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return RawFile(path, list(COLUMNS), table, lines, rejects)
