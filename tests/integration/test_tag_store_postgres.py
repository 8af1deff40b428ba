"""Cross-engine agreement: the same audience expressions counted by DuckDB and by a real PostgreSQL server.

The fixture starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 (free port, trust auth, socket and data in a
temp dir; initdb refuses root, so as root it runs through ``runuser -u postgres``), copies a 3,000-customer demo
store's ``customers`` and ``contact_history`` into it with COPY, and always stops the cluster afterwards.
Skipped, with the reason, only when the PostgreSQL binaries are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from tests.unit.test_tag_store_dialects import AS_OF, CASES
from tools.tag_store import TagCatalog, validate_expression
from tools.tag_store.demo_data import build_demo_tag_store
from tools.tag_store.dialects import compile_for
from tools.tag_store.tags import TagDef

PG_BIN = Path(os.environ.get("MBRAIN_PG_BIN", "/usr/lib/postgresql/15/bin"))
CUSTOMERS = 3_000


def _postgres_type(tag: TagDef) -> str:
    if tag.type == "bool":
        return "boolean"
    if tag.type == "date":
        return "date"
    if tag.type == "category":
        return "text"
    return "integer" if tag.integer else "double precision"


def _run_as_owner(program: str, *args: str, check: bool = True) -> None:
    """Run a PostgreSQL binary; initdb and postgres refuse root, so as root run them as the postgres user."""
    command = [str(PG_BIN / program), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=60)


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    """A running throwaway cluster; stopped and deleted in teardown whatever the tests did."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (set MBRAIN_PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="mbrain-pg-"))  # not pytest's tmp dir: postgres must traverse it
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", _free_port()
    try:
        _run_as_owner(
            "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        _run_as_owner("pg_ctl", "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start")
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=disable"
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        raise RuntimeError(f"{exc.cmd[-1]} failed: {exc.stderr.decode(errors='replace')}\n{log}") from exc
    finally:
        if (data / "postmaster.pid").exists():
            _run_as_owner("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def engines(
    postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[duckdb.DuckDBPyConnection, psycopg.Connection[Any]]]:
    """The demo store in DuckDB, and the same two tables copied into PostgreSQL."""
    catalog = TagCatalog.default()
    path = tmp_path_factory.mktemp("pg-agreement") / "store.duckdb"
    build_demo_tag_store(path, customers=CUSTOMERS, seed=11, as_of=AS_OF, catalog=catalog)
    with closing(duckdb.connect(str(path), read_only=True)) as local, psycopg.connect(postgres_dsn) as remote:
        _copy_tables(local, remote, catalog)
        yield local, remote


def _copy_tables(
    local: duckdb.DuckDBPyConnection, remote: psycopg.Connection[Any], catalog: TagCatalog
) -> None:
    columns = ", ".join(f'"{tag.code}" {_postgres_type(tag)}' for tag in catalog.tags)
    codes = ", ".join(f'"{tag.code}"' for tag in catalog.tags)
    with remote.cursor() as cursor:
        cursor.execute(f"CREATE TABLE customers (customer_id bigint NOT NULL PRIMARY KEY, {columns})")
        cursor.execute(
            "CREATE TABLE contact_history (customer_id bigint NOT NULL, channel text NOT NULL, "
            "contacted_at timestamp NOT NULL, campaign_id text NOT NULL)"
        )
        # ENUM columns come out of DuckDB as text, dates as date, doubles as floats (repr round-trips exactly).
        sources = {
            "customers": f"SELECT customer_id, {codes} FROM customers",
            "contact_history": "SELECT customer_id, CAST(channel AS VARCHAR), contacted_at, campaign_id "
            "FROM contact_history",
        }
        for table, select in sources.items():
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in local.execute(select).fetchall():
                    copy.write_row(row)
        cursor.execute("ANALYZE")
    remote.commit()


def test_the_copy_is_complete(engines: tuple[duckdb.DuckDBPyConnection, psycopg.Connection[Any]]) -> None:
    local, remote = engines
    for table in ("customers", "contact_history"):
        expected = local.execute(f"SELECT count(*) FROM {table}").fetchone()
        actual = remote.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert actual == expected and actual is not None and actual[0] > 0


@pytest.mark.parametrize("case", list(CASES))
def test_postgres_counts_like_duckdb(
    case: str, engines: tuple[duckdb.DuckDBPyConnection, psycopg.Connection[Any]]
) -> None:
    local, remote = engines
    catalog = TagCatalog.default()
    expression = validate_expression(CASES[case], catalog)
    duck = compile_for(expression, catalog, "duckdb", today=AS_OF)
    postgres = compile_for(expression, catalog, "postgres", today=AS_OF)
    expected = local.execute(duck.sql, duck.params).fetchone()
    actual = remote.execute(postgres.sql, postgres.params).fetchone()
    assert expected is not None and 0 < expected[0] < CUSTOMERS  # a vacuous case would prove nothing
    assert actual == expected
