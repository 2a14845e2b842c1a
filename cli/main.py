"""Entry point: `rightcall <command>`."""

from __future__ import annotations

import typer

from . import data, train
from .behave import behave_command
from .evaluate import evaluate_command
from .serve import feedback_app, serve_command

app = typer.Typer(
    help="rightcall: calibrated mental-health, crime and threat-to-life signals for call notes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.command("train")(train.train_command)
app.command("predict")(train.predict_command)
app.command("score")(train.score_command)
app.command("evaluate")(evaluate_command)
app.command("behave")(behave_command)
app.command("serve")(serve_command)
app.add_typer(feedback_app, name="feedback")


if __name__ == "__main__":
    app()
