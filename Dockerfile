# Production image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint (Pango, HarfBuzz, fontconfig) and fonts for the PDFs
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      fonts-dejavu-core shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install .

COPY . .
# Static files are collected at build time with the production storage (hashed names).
RUN SHOP_ENV=production SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && useradd --create-home --uid 1000 shop \
 && mkdir -p /app/var \
 && chown -R shop:shop /app/var

USER shop
EXPOSE 8000
CMD ["gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
