# The ideogram-prod checker image: hash-locked dependencies, non-root, `ideogram-prod` as entrypoint.
# By default it is the slim image for `check` and `alerts`: no kubernetes client (the rollout and preflight commands run on the
# host, where the kubeconfig's exec plugins are) and only the Kubernetes schema versions in KUBERNETES_SCHEMAS.
# BASE is pinned by digest; the offline smoke test (tests/test_image.py) passes a locally imported base instead.
ARG BASE=python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

FROM ${BASE} AS build
# Only for builds behind a TLS-intercepting proxy: a CA bundle mounted into the build (see tests/test_image.py).
ARG PIP_CERT
# Kubernetes minor versions whose schemas k8s-manifest-invalid can validate against in this image; a
# kubernetes.kubernetes_version outside them makes that check an error that names the versions kept.
ARG KUBERNETES_SCHEMAS="1.30 1.31 1.32 1.33 1.34 1.35 1.36 1.37"
# SLIM=false keeps the kubernetes client: the image for the rollout watchdog (rollout.watchdog_image).
ARG SLIM=true
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements.lock ./
RUN python3 -m venv /opt/ideogram-prod \
    && /opt/ideogram-prod/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY scripts/slim_venv.py ./scripts/
RUN if [ "$SLIM" = true ]; then \
      /opt/ideogram-prod/bin/python scripts/slim_venv.py --keep-schemas "$KUBERNETES_SCHEMAS" --pyproject pyproject.toml; \
    fi
COPY checker ./checker
RUN /opt/ideogram-prod/bin/pip install --no-cache-dir --no-deps --no-build-isolation ./ \
    && /opt/ideogram-prod/bin/pip uninstall -y setuptools pip \
    && find /opt/ideogram-prod -name '__pycache__' -type d -prune -exec rm -rf {} + \
    && /opt/ideogram-prod/bin/ideogram-prod --version

FROM ${BASE} AS git
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u3 \
    && test "$(ldd /usr/bin/git | awk '/=>/ {print $1}' | sort | tr '\n' ' ')" = "libc.so.6 libpcre2-8.so.0 libz.so.1 "

FROM ${BASE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/org/ideogram-prod
LABEL org.opencontainers.image.title="ideogram-prod" \
      org.opencontainers.image.description="PR gate, pre-flight checks and staged rollout for Ideogram image-API integrations" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# git: the checker lists files with `git ls-files` and computes --diff-base; the workspace belongs to another uid.
# Only the git binary, from the `git` stage: every command the checker runs (ls-files, ls-tree, cat-file, diff,
# merge-base, rev-parse) is built into it, and it links only libc, zlib and pcre2, which the base has. Debian's
# package would add 84 MB (perl, libcurl, the remote helpers) that `check` never runs.
COPY --from=git /usr/bin/git /usr/bin/git
COPY --from=git /usr/share/doc/git/copyright /usr/share/doc/git/copyright
RUN git --version \
    && git config --system --add safe.directory '*' \
    && useradd --system --uid 10001 --create-home --home-dir /home/checker checker
COPY --from=build /opt/ideogram-prod /opt/ideogram-prod
ENV PATH=/opt/ideogram-prod/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SEMGREP_ENABLE_VERSION_CHECK=0 \
    SEMGREP_SEND_METRICS=off \
    IDEOGRAM_PROD_CONTAINER=1
USER 10001
WORKDIR /work
ENTRYPOINT ["ideogram-prod"]
CMD ["check", "."]
