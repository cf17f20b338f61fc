# The matcher (and the indexer CLI) as one image: docker compose builds it from here.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Only what the package needs: no virtualenv, data or git history in the image.
COPY setup.py README.md ./
COPY config ./config
COPY indexer ./indexer
COPY matcher ./matcher
# The officer's guide and its screenshots, shown by the in-app help page.
COPY docs/huong-dan-can-bo.md ./docs/
COPY docs/img ./docs/img
RUN pip install ".[postgres]"

# Elasticsearch-style rule for the app too: never run as root.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin vungbuoc \
    && mkdir -p /data && chown vungbuoc:vungbuoc /data
USER vungbuoc

ENV VUNGBUOC_DATA_DIR=/data \
    VUNGBUOC_BIND=0.0.0.0:8000
VOLUME ["/data"]
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "matcher.wsgi:app"]
