# syntax=docker/dockerfile:1
# Multi-stage build: the widget is bundled with node, the Python wheel is built in a
# throwaway stage, and the runtime image holds only the installed service, as non-root.

FROM node:20-bookworm-slim AS widget
WORKDIR /src/widget
COPY widget/package.json widget/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY widget/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip build
COPY pyproject.toml README.md ./
COPY service/ service/
COPY --from=widget /src/service/widget/static/ service/widget/static/
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 POWERMAP_ENVIRONMENT=production
RUN useradd --create-home --uid 10001 powermap
WORKDIR /app
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
COPY migrations/ migrations/
COPY cypher/ cypher/
ENV POWERMAP_MIGRATIONS_DIR=/app/migrations POWERMAP_QUERIES_DIR=/app/cypher
USER powermap
# numba compiles the betweenness kernel once, at build time, into a cache the service
# user owns (site-packages is not writable at run time).
ENV NUMBA_CACHE_DIR=/home/powermap/.cache/numba
RUN python -c "from service.analytics.betweenness import warm_up; warm_up()"
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# One worker process per core the container may use (`--workers N` to choose).
CMD ["powermap", "serve", "--host", "0.0.0.0", "--port", "8000"]
