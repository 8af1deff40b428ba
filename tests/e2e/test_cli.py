"""The `mbrain` CLI: the reviewer's loop by command line, --json everywhere, one-line errors for bad input."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from core.db import session_scope
from core.models import Campaign

runner = CliRunner()
BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+外呼"


def _run(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def _json(*args: str):
    return json.loads(_run(*args, "--json").stdout)


def test_cli_review_loop(demo):
    drafted = _json("draft", BRIEF, "--as", "marketer")
    assert drafted["status"] == "in_review" and drafted["audience"]["size"] > 0
    assert drafted["audience"]["explanation"] and "*" in drafted["audience"]["sample"][0]["name"]
    assert {d["channel"] for d in drafted["drafts"]} == {"sms", "call_script"}
    queue = _json("review", "list", "--as", "reviewer")
    assert {d["draft_id"] for d in queue} == {d["draft_id"] for d in drafted["drafts"]}

    sms_id = next(d["draft_id"] for d in drafted["drafts"] if d["channel"] == "sms")
    shown = _json("review", "show", sms_id)
    assert set(shown) >= {"draft_id", "campaign_id", "channel", "status", "verdict", "content", "findings"}
    assert shown["content"]["text"].startswith("【示例银行】")
    script_id = next(d["draft_id"] for d in drafted["drafts"] if d["channel"] == "call_script")
    assert _json("review", "show", script_id)["content"]["script"]["nodes"]

    own = _run("review", "decide", sms_id, "--as", "marketer", "--decision", "approve", ok=False)
    assert own.exit_code != 0 and "four_eyes" in own.stderr and len(own.stderr.strip().splitlines()) == 1
    _json("review", "decide", sms_id, "--as", "reviewer", "--decision", "approve")
    last = _json("review", "decide", script_id, "--as", "reviewer", "--decision", "approve")
    assert last["resumed"] and last["campaign"]["status"] == "published"
    assert _json("audit", "verify")["ok"] is True


def test_cli_bad_input_is_one_line_and_writes_nothing(demo):
    for args, expected in (
        (["check", "--channel", "fax", "--text", "x"], "unknown channel"),
        (["check", "--channel", "sms", "--text", "  "], "empty"),
        (["draft", "   ", "--as", "marketer"], "empty_brief"),
        (["draft", BRIEF, "--as", "nobody"], "unknown user"),
        (["draft", BRIEF, "--as", "voicebot"], "role_not_allowed"),
        (["review", "show", "drf_missing"], "unknown_draft"),
        (["review", "decide", "drf_missing", "--as", "reviewer", "--decision", "maybe"], "unknown decision"),
    ):
        result = _run(*args, ok=False)
        assert result.exit_code != 0, args
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
            args,
            result.stderr,
        )
        assert "Traceback" not in result.output
    with session_scope() as session:
        assert session.query(Campaign).count() == 0


def test_cli_check_reports_findings_as_json(demo):
    report = _json(
        "check",
        "--channel",
        "sms",
        "--text",
        "【示例银行】本理财保本保收益，稳赚不赔！拒收请回复R",
        "--product-type",
        "wealth",
    )
    assert report["verdict"] == "block"
    finding = report["findings"][0]
    assert set(finding) >= {
        "rule_id",
        "category",
        "severity",
        "span",
        "message",
        "citation",
        "fix",
        "detector",
    }


def test_audit_verify_fails_on_tampering(demo):
    _json("draft", BRIEF, "--as", "marketer")
    with sqlite3.connect(Path(demo["dir"]) / "mbrain.sqlite") as conn:
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    result = _run("audit", "verify", ok=False)
    assert result.exit_code == 1 and "BROKEN at event 2" in result.stdout


def test_installed_entry_point_runs(demo):
    mbrain = shutil.which("mbrain", path=str(Path(sys.executable).parent))
    assert mbrain, "the mbrain console script is installed with the project"
    completed = subprocess.run(
        [mbrain, "check", "--channel", "sms", "--text", "【示例银行】你好。拒收请回复R", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["verdict"] == "pass"


def test_cli_eval_run_and_report(demo):
    run = json.loads(_run("eval", "run", "--suite", "compliance", "--suite", "call_script", "--json").stdout)
    assert [s["suite"] for s in run["suites"]] == ["compliance", "call_script"]
    assert run["metadata"]["git_commit"] and run["suites"][0]["cases"][0]["case_id"]
    paths = _json("eval", "report")
    assert Path(paths["html"]).read_text(encoding="utf-8").startswith("<!doctype html>")
    bad = _run("eval", "run", "--suite", "nope", ok=False)
    assert bad.exit_code != 0 and "unknown suite" in bad.stderr


def test_published_audience_is_frozen_and_exports_masked_ids(demo, tmp_path):
    drafted = _json("draft", BRIEF, "--as", "marketer")
    for draft in drafted["drafts"]:
        _json("review", "decide", draft["draft_id"], "--as", "reviewer", "--decision", "approve")
    out = tmp_path / "audience.csv"
    info = _json("audience", "export", drafted["campaign_id"], "--out", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert info["rows"] == drafted["audience"]["size"] == len(lines) - 1
    assert all(str(i) not in lines[1:] for i in drafted["audience"]["sample_ids"])  # ids are masked
    missing = _run("audience", "export", "cmp_nope", "--out", str(out), ok=False)
    assert missing.exit_code != 0 and "no frozen audience" in missing.stderr
