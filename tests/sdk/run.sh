#!/usr/bin/env bash
# Runs the official OpenAI and Anthropic Python SDKs against a running llm-router gateway.
#
#   LLM_ROUTER_BASE_URL=http://127.0.0.1:8080 LLM_ROUTER_KEY=... \
#   LLM_ROUTER_CHAT_MODEL=... [LLM_ROUTER_EMBED_MODEL=... LLM_ROUTER_EMBED_DIM=...] \
#   [LLM_ROUTER_ANTHROPIC_MODEL=... LLM_ROUTER_TOOLS_MODEL=...] tests/sdk/run.sh
#
# Creates (or reuses) a virtualenv under $TMPDIR keyed by requirements.txt, installs the
# pinned SDKs, then runs openai_sdk_check.py and anthropic_sdk_check.py.
# Exit status: 0 when every check passed, or with a SKIP message when Python or the package
# registry is unavailable; 1 when any check failed; 2 on a usage error.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -z "${LLM_ROUTER_BASE_URL:-}" || -z "${LLM_ROUTER_CHAT_MODEL:-}${LLM_ROUTER_ANTHROPIC_MODEL:-}" ]]; then
    echo "usage: LLM_ROUTER_BASE_URL=<gateway root> LLM_ROUTER_CHAT_MODEL=<model> [LLM_ROUTER_KEY=...] $0" >&2
    exit 2
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "SKIP: $python not found; the SDK conformance checks need Python 3.9+"
    exit 0
fi

req="$here/requirements.txt"
key="$(cksum <"$req" | cut -d' ' -f1)"
venv="${TMPDIR:-/tmp}/llm-router-sdk-venv-$key"

registry_reachable() {
    "$python" - <<'PY'
import os, sys, urllib.request
index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/openai/"
try:
    urllib.request.urlopen(index, timeout=10).close()
except Exception as e:
    print(f"{index}: {e}", file=sys.stderr)
    sys.exit(1)
PY
}

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -m venv "$venv" >/dev/null; then
        rm -rf "$venv"
        echo "SKIP: '$python -m venv' failed (install the venv module); SDK checks not run"
        exit 0
    fi
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 2 --timeout 30 -r "$req"; then
    if ! registry_reachable; then
        echo "SKIP: the package registry is unreachable, the SDKs cannot be installed; SDK checks not run"
        exit 0
    fi
    echo "FAIL: pip could not install $req although the registry is reachable" >&2
    exit 1
fi

status=0
cd "$here" || exit 2
if [[ -n "${LLM_ROUTER_CHAT_MODEL:-}" ]]; then
    "$venv/bin/python" openai_sdk_check.py || status=1
else
    echo "SKIP [openai]: LLM_ROUTER_CHAT_MODEL is not set"
fi
"$venv/bin/python" anthropic_sdk_check.py || status=1
exit "$status"
