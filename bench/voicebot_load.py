"""Voice-bot pull under load: the real pull endpoint vs a bare FastAPI endpoint, same machine, same run.

    .venv/bin/python -m bench.voicebot_load --customers 50000 --seconds 20 --workers 1 2

Builds a demo data dir (``init_demo``), publishes a call campaign through the API, picks a lead mix (mostly
callable; some opted out, on a do-not-call list, outside the audience or out of attempts: 403/409 refusals are
expected answers), then for each worker count serves the real app (clock pinned inside calling hours) and a bare
app returning a constant JSON body of the typical pull size, and drives both with wrk on loopback
(``-c 50 -t 2 --latency``, a Lua script cycling through the leads with the voice bot's key). Writes
bench/voicebot/RESULTS.md. Needs wrk (Debian: ``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from bench.voicebot.apps import BODY_BYTES_ENV, CLOCK_ENV
from bench.voicebot.report import Run, markdown
from bench.voicebot.scenario import Scenario, build_scenario
from bench.voicebot.server import serving
from bench.voicebot.wrk import lua_script, run_wrk, wrk_command
from core.clock import set_clock
from core.settings import get_settings

RESULTS = Path(__file__).resolve().parent / "voicebot" / "RESULTS.md"
PULL_TEN_AM = time(10, 0)  # inside every calling window the demo scripts use
WARMUP_S = 3


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ["MBRAIN_DATA_DIR"] = str(args.data_dir)
    os.environ.pop("MBRAIN_LLM_BASE_URL", None)  # offline: the bench measures the pull, not a model
    get_settings.cache_clear()
    pinned_at = datetime.combine(datetime.now(get_settings().tz).date(), PULL_TEN_AM, get_settings().tz)
    set_clock(lambda: pinned_at)
    saved = args.data_dir / "scenario.json"
    scenario = Scenario.load(saved, customers=args.customers, day=pinned_at.date()) if args.reuse else None
    if scenario is None:
        _say(f"building {args.customers:,} customers and a published campaign in {args.data_dir} ...")
        scenario = build_scenario(customers=args.customers, leads=args.leads, at=pinned_at)
        scenario.save(saved, customers=args.customers, day=pinned_at.date())
    else:
        _say(f"reusing the scenario saved in {saved}")
    script = args.data_dir / "voicebot_pull.lua"
    paths = [f"/v1/call-scripts/{scenario.campaign_id}/leads/{lead}" for lead in scenario.leads]
    script.write_text(lua_script(paths, scenario.api_key), encoding="utf-8")
    env = {"MBRAIN_DATA_DIR": str(args.data_dir), CLOCK_ENV: pinned_at.isoformat(),
           BODY_BYTES_ENV: str(scenario.body_bytes)}  # fmt: skip
    runs = [
        _measure(target, workers, script, env, args)
        for workers in args.workers
        for target in ("bare", "pull")
    ]
    text = markdown(runs, scenario=_describe(scenario, args), argv=sys.argv[1:] if argv is None else argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


def _measure(target: str, workers: int, script: Path, env: dict[str, str], args: argparse.Namespace) -> Run:
    factory = f"bench.voicebot.apps:{'pinned' if target == 'pull' else 'bare'}"
    log = args.data_dir / f"server-{target}-{workers}w.log"
    _say(f"{target}: {workers} worker(s) ...")
    with serving(
        factory, workers=workers, env=env, probe_path="/v1/call-scripts/x/leads/1", log_path=log
    ) as url:
        warm = wrk_command(url, script, connections=args.connections, threads=args.threads, seconds=WARMUP_S)
        run_wrk(warm, timeout_s=WARMUP_S + 60)  # fills each worker's caches; not measured
        command = wrk_command(
            url, script, connections=args.connections, threads=args.threads, seconds=args.seconds
        )
        result, raw = run_wrk(command, timeout_s=args.seconds + 60)
    (args.data_dir / f"wrk-{target}-{workers}w.txt").write_text(raw, encoding="utf-8")
    return Run(target=target, workers=workers, command=" ".join(command), result=result)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def _describe(scenario: Scenario, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "customers": args.customers,
        "leads": len(scenario.leads),
        "expected_statuses": dict(sorted(scenario.expected_statuses().items())),
        "body_bytes": scenario.body_bytes,
        "connections": args.connections,
        "threads": args.threads,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--leads", type=int, default=1_000, help="distinct leads the bots cycle through")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench/voicebot"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--reuse", action="store_true",
        help="reuse the data dir's saved scenario when it was built today for as many customers",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.customers < 1_000 or args.leads < 50 or args.seconds < 1 or min(args.workers) < 1:
        parser.error("need --customers ≥ 1000, --leads ≥ 50, --seconds ≥ 1 and --workers ≥ 1")
    args.data_dir = args.data_dir.resolve()
    return args


if __name__ == "__main__":
    raise SystemExit(main())
