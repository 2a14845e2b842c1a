"""``python -m cli.serve_process``: the process ``rightcall serve`` turns into.

``rightcall serve`` checks its options, then replaces itself (same process id, so signals
such as SIGHUP still reach it) with this fresh interpreter. The server and each worker then
import only ``serving`` and ``model``, not the command line's training, evaluation and
plotting code: it starts faster and every worker holds less memory.
"""

from __future__ import annotations

import sys

# A model from before scorer.npz is unpickled with scikit-learn, which imports pandas
# whenever it is installed, only to accept DataFrames; serving never hands it one, and
# pandas with pyarrow costs about 60 MB in every worker.
sys.modules.setdefault("pandas", None)

import uvicorn  # noqa: E402

from serving.logs import logging_config  # noqa: E402
from serving.settings import Settings  # noqa: E402


def main() -> None:
    settings = Settings()  # from RIGHTCALL_*, as `rightcall serve` left them
    if settings.workers > 1:
        app = "serving.app:create_app"  # each worker process builds its own app
    else:
        from serving.app import create_app

        app = create_app(settings)
    uvicorn.run(
        app,
        factory=settings.workers > 1,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=logging_config(settings.log_level),
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
