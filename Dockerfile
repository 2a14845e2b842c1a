# rightcall API image: the package, and the bundled default model trained at build time
# (same config + corpus + seed as `rightcall train`). The container keeps no state of its
# own: feedback goes to the database named by RIGHTCALL_DATABASE_URL.
#   docker build -t rightcall .
#   docker run -p 8000:8000 -e RIGHTCALL_API_KEYS=handler:... -e RIGHTCALL_DATABASE_URL=... rightcall
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RIGHTCALL_MODELS_DIR=/app/models \
    RIGHTCALL_HOST=0.0.0.0 \
    RIGHTCALL_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY model ./model
COPY notefiles ./notefiles
COPY training ./training
COPY evaluation ./evaluation
COPY scoring ./scoring
COPY serving ./serving
COPY cli ./cli
COPY data ./data
RUN pip install ".[postgres]" \
 && rightcall train --config /app/training/config.toml --out /app/models \
 && useradd --system --uid 10001 --home-dir /app rightcall

USER rightcall
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"]
# No API keys means local mode, which refuses 0.0.0.0: set RIGHTCALL_API_KEYS.
CMD ["rightcall", "serve"]
