# claims-ledger as a container image: the API (gunicorn), the projection worker and the CLI.
# Configuration is by environment only (LEDGER_DATABASE_URL and friends, see the README).
FROM python:3.11-slim

# WeasyPrint draws PDFs with pango (text layout, through harfbuzz and fontconfig); DejaVu gives
# it fonts with the glyphs of Bahasa Indonesia. Nothing else from the system is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b \
        fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ledger ledger
COPY storage storage
COPY intake intake
COPY seed seed
COPY api api
COPY projections projections
COPY documents documents
COPY deploy deploy
RUN pip install . && useradd --system --home-dir /app ledger
USER ledger

EXPOSE 8000
# The API; the compose file runs the projection worker and `db init` from the same image.
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
