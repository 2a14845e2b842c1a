"""`rightcall feedback purge | export`: manage stored feedback (it holds note text)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from ._common import console, fail, server_settings

app = typer.Typer(help="Manage stored feedback (it holds note text).", no_args_is_help=True)
DURATION = re.compile(r"^\s*(\d+)\s*([dhwm])\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` or ``30m`` as a timedelta."""
    match = DURATION.match(text)
    if not match:
        raise typer.BadParameter("use a number and a unit: 90d, 12h, 2w or 30m")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="Database URL [RIGHTCALL_DATABASE_URL; default sqlite:///var/rightcall.db]."),
]


@app.command("purge")
def purge_command(
    older_than: Annotated[
        str, typer.Option(help="Delete feedback older than this: 90d, 12h, 2w or 30m.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Delete old feedback rows (and the note text they hold)."""
    from serving.store import FeedbackStore, StoreUnavailable

    age = parse_duration(older_than)
    settings = server_settings(database_url=database_url)
    store = FeedbackStore(settings.database_url)
    try:
        deleted = store.purge(age)
    except StoreUnavailable as error:
        fail(str(error))
    finally:
        store.close()
    console.print(f"Deleted {deleted} feedback row(s) older than {older_than.strip()}.")


@app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file to write.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Write all feedback as labelled JSONL for `rightcall train --data FILE`."""
    from serving.store import FeedbackStore, StoreUnavailable

    settings = server_settings(database_url=database_url)
    store = FeedbackStore(settings.database_url)
    count = 0
    try:
        records = store.export()  # fails here, before the file is created, if the DB is down
        with output.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    except StoreUnavailable as error:
        fail(str(error))
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror})")
    finally:
        store.close()
    console.print(f"Wrote {count} labelled note(s) to {output}")
