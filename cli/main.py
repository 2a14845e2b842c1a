"""Entry point: `rightcall <command>`, one module per command or command group."""

from __future__ import annotations

import typer

from . import behave, data, evaluate, feedback, predict, score, serve, train

app = typer.Typer(
    help="rightcall: calibrated mental-health, crime and threat-to-life signals for call notes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.command("train")(train.train_command)
app.command("predict")(predict.predict_command)
app.command("score")(score.score_command)
app.command("evaluate")(evaluate.evaluate_command)
app.command("behave")(behave.behave_command)
app.command("serve")(serve.serve_command)
app.add_typer(feedback.app, name="feedback")


if __name__ == "__main__":
    app()
