"""A moto server on a free loopback port, started and stopped by pid (or an existing one given by URL)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Every AWS service a stack may call. A service without an endpoint would go to real AWS: never let it.
ENDPOINT_SERVICES = ("athena", "cloudtrail", "cloudwatch", "dynamodb", "ec2", "events", "glue", "iam", "kms",
                     "lakeformation", "lambda", "logs", "organizations", "ram", "redshift", "redshiftdata",
                     "redshiftserverless", "s3", "secretsmanager", "sfn", "sns", "sqs", "ssm", "sts", "budgets",
                     "datazone", "ce")


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_loopback_url(url: str) -> bool:
    from urllib.parse import urlparse

    host = urlparse(url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


class MotoServer:
    def __init__(self, log: Path):
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("a")
        env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "meshform.local.moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self.process.returncode}; see {self._log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"moto server did not answer on {self.url} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()
