#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume: the role of the
# web, worker and beat processes. Its rights are granted by `manage.py migrate` (run as the
# owner `shop`, see docker-compose.yml), after every migration.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$POSTGRES_APP_PASSWORD" \
     --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE shop_app LOGIN PASSWORD :'pw';
SQL
