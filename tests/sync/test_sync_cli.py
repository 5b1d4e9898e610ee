"""`powermap sync salesforce|hubspot DIR`: what it refuses before touching the graph
(its writes: tests/integration/test_sync_salesforce.py, test_sync_hubspot.py)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service.cli import app as cli

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_the_mode_is_required_and_checked() -> None:
    runner = CliRunner(env={"COLUMNS": "250"})
    directory = str(FIXTURES / "salesforce" / "month1_snapshot")
    missing = runner.invoke(cli, ["sync", "salesforce", directory])
    assert missing.exit_code == 2 and "--mode" in missing.output
    wrong = runner.invoke(cli, ["sync", "salesforce", directory, "--mode", "full"])
    assert wrong.exit_code == 1
    assert "--mode is snapshot or delta, not 'full'" in wrong.output


def test_a_bad_export_is_reported_with_part_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "Contact.csv").write_text(
        "Id,AccountId,LastName,ReportsToId\n0035g00000BlLmBAAV,0015g00000InTcHAAV,L,nope\n"
    )
    (tmp_path / "Contacts.csv").write_text("Id\n")
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        cli, ["sync", "salesforce", str(tmp_path), "--mode", "delta"]
    )
    assert result.exit_code == 1
    assert "Contact[line 2].ReportsToId: 'nope' is not a Salesforce Id" in result.output
    assert "Contacts: is not an object read here" in result.output
    assert "2 problem(s)" in result.output


def test_hubspot_json_and_effective_at_are_checked(tmp_path: Path) -> None:
    (tmp_path / "contacts.json").write_text("[{")
    runner = CliRunner(env={"COLUMNS": "250"})
    broken = runner.invoke(cli, ["sync", "hubspot", str(tmp_path), "--mode", "snapshot"])
    assert broken.exit_code == 1 and "contacts: is not JSON" in broken.output
    when = runner.invoke(
        cli,
        ["sync", "hubspot", str(tmp_path), "--mode", "delta", "--effective-at", "soon"],
    )
    assert when.exit_code == 1 and "--effective-at" in when.output


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        cli, ["sync", "salesforce", str(tmp_path), "--mode", "delta"]
    )
    assert result.exit_code == 1 and "holds no *.csv file" in result.output
