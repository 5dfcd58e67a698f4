# Hamkke: one image, three roles (gateway, worker with its Rasa, actions), chosen by the
# command; docker-compose.yml runs them as make run does on one machine.
#
#   docker build -t hamkke .
#   docker compose up
#
# Stage 1 installs both environments from the lock files; stage 2 trains the
# model at build time (mount your own at /app/models to skip it); stage 3 is
# the runtime image, running as an unprivileged user.

FROM python:3.10-slim-bookworm AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/ requirements/
RUN python -m venv .venv && .venv/bin/pip install -r requirements/app.lock \
 && python -m venv .venv-rasa && .venv-rasa/bin/pip install -r requirements/rasa.lock

FROM deps AS train
COPY config.yml domain.yml ./
COPY nlu/ nlu/
COPY stories/ stories/
COPY hamkke/ hamkke/
COPY nlu_components/ nlu_components/
RUN RASA_TELEMETRY_ENABLED=false .venv/bin/python -m hamkke.training

FROM python:3.10-slim-bookworm AS runtime
RUN useradd --create-home --uid 10001 hamkke
WORKDIR /app
COPY --from=deps /app/.venv /app/.venv
COPY --from=deps /app/.venv-rasa /app/.venv-rasa
COPY . .
COPY --from=train /app/models /app/models
RUN mkdir -p var && chown -R hamkke:hamkke var models
USER hamkke
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false HAMKKE_HOST=0.0.0.0 PYTHONUNBUFFERED=1
EXPOSE 8000
# Default role: everything in one container (as `make run`).
CMD [".venv/bin/python", "-m", "bot.launcher"]
