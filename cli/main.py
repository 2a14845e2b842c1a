"""Entry point: `rightcall <command>`, one module per command or command group.

A command's module (and so scikit-learn, spaCy or pandas behind it) is imported only when
that command runs: `rightcall serve` must not spend seconds importing training and
evaluation code it never uses. `rightcall --help` and tests get every command.
"""

from __future__ import annotations

import importlib
import sys

import typer

HELP = "rightcall: calibrated mental-health, crime and threat-to-life signals for call notes."
# name -> (module in cli, attribute, whether it is a group of commands)
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "data": ("data", "app", True),
    "train": ("train", "train_command", False),
    "predict": ("predict", "predict_command", False),
    "score": ("score", "score_command", False),
    "evaluate": ("evaluate", "evaluate_command", False),
    "behave": ("behave", "behave_command", False),
    "serve": ("serve", "serve_command", False),
    "feedback": ("feedback", "app", True),
}


def build(names: list[str] | None = None) -> typer.Typer:
    """The command-line app with the named commands (all by default)."""
    app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False)
    for name in names or list(COMMANDS):
        module, attribute, group = COMMANDS[name]
        target = getattr(importlib.import_module(f"cli.{module}"), attribute)
        if group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    if names and len(names) == 1:

        @app.callback()
        def _one_command() -> None:
            """Keeps `rightcall NAME` a subcommand when the app holds only NAME."""

    return app


def main() -> None:
    wanted = sys.argv[1] if len(sys.argv) > 1 else None
    build([wanted] if wanted in COMMANDS else None)(prog_name="rightcall")


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole app, for tests and `python -m`
        return build()
    raise AttributeError(name)


if __name__ == "__main__":
    main()
