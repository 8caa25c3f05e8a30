"""`--help` tells a new operator what exists: every import kind, every export."""

from prakerja.cli.imports import LOADERS


def test_import_help_lists_every_kind(cli):
    shown = " ".join(cli("import", "--help", db=False).stdout.split())
    for kind in LOADERS:
        assert kind in shown


def test_export_help_lists_every_export(cli):
    result = cli("export", "--help", db=False)
    shown = " ".join(result.stdout.split())
    assert "Write outbound files: selection, cards, breaks, gap, statement" in shown
    for command in ("selection", "cards", "breaks", "gap", "statement"):
        assert f"│ {command} " in result.stdout
