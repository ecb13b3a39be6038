"""Shared helpers of the SDK conformance checks: configuration from the environment and a
tiny check runner (every check runs; the exit status says whether any failed)."""

import os
import sys
import traceback


def env(name, default=None, required=False):
    value = os.environ.get(name, "").strip() or default
    if required and not value:
        print(f"FAIL: environment variable {name} is not set", file=sys.stderr)
        sys.exit(2)
    return value


def gateway_root():
    """LLM_ROUTER_BASE_URL without a trailing slash or /v1 (the SDKs add their own paths)."""
    url = env("LLM_ROUTER_BASE_URL", required=True).rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


def api_key():
    return env("LLM_ROUTER_KEY", default="no-key")


class Checks:
    """Runs named checks, prints PASS/FAIL/SKIP per check, and exits 1 if any failed."""

    def __init__(self, suite):
        self.suite = suite
        self.failed = []

    def run(self, name, fn, skip_reason=None):
        label = f"[{self.suite}] {name}"
        if skip_reason:
            print(f"SKIP {label}: {skip_reason}", flush=True)
            return
        try:
            detail = fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failed.append(name)
            print(f"FAIL {label}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=3)
            return
        print(f"PASS {label}" + (f": {detail}" if detail else ""), flush=True)

    def exit(self):
        if self.failed:
            print(f"[{self.suite}] {len(self.failed)} check(s) failed: {', '.join(self.failed)}", flush=True)
            sys.exit(1)
        print(f"[{self.suite}] all checks passed", flush=True)
        sys.exit(0)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)
