"""AWS access for the preflight: one session per mesh account through its deploy role, strictly read-only.

Every client refuses (before sending) any operation that is not a read: Get*, List*, Describe*, Head* and
sts:AssumeRole (which only issues credentials). AWS errors are turned into findings by the checks, never raised.
"""
from __future__ import annotations

import re

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from meshform.spec.mesh import Mesh

READ_PREFIXES = ("Get", "List", "Describe", "Head")
READ_ALLOWED = {"AssumeRole"}
SESSION_NAME = "meshform-preflight"
AWS_ERRORS = (ClientError, BotoCoreError)


class WriteRefused(RuntimeError):
    """A programming error: the preflight tried to change something."""


def _refuse_writes(model, **_kwargs) -> None:
    name = model.name
    if not (name.startswith(READ_PREFIXES) or name in READ_ALLOWED):
        raise WriteRefused(f"meshform preflight is read-only: refused {model.service_model.service_name}:{name}")


def _client(service: str, endpoint: str | None, region: str, **credentials):
    config = Config(retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path"} if endpoint else None)
    client = boto3.client(service, region_name=region, config=config,
                          **({"endpoint_url": endpoint} if endpoint else {}), **credentials)
    client.meta.events.register("before-call", _refuse_writes)
    return client


class Caller:
    """The identity that runs the preflight (CI credentials, or the emulator's test credentials)."""

    def __init__(self, mesh: Mesh, endpoint: str | None, session_name: str = SESSION_NAME):
        self.mesh = mesh
        self.endpoint = endpoint
        self.session_name = session_name       # what CloudTrail shows for the assumed role (meshform audit: its own)
        base = {"aws_access_key_id": "test", "aws_secret_access_key": "test"} if endpoint else {}
        self._sts = _client("sts", endpoint, mesh.region, **base)

    def assume(self, account_id: str) -> AccountSession:
        """Raises ClientError/BotoCoreError when the deploy role cannot be assumed."""
        creds = self._sts.assume_role(RoleArn=self.mesh.deploy_role_arn(account_id),
                                      RoleSessionName=self.session_name)["Credentials"]
        return AccountSession(account_id, self.endpoint, self.mesh.region, creds)


class AccountSession:
    def __init__(self, account_id: str, endpoint: str | None, region: str, creds: dict):
        self.account_id = account_id
        self._endpoint, self._region = endpoint, region
        self._creds = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                       "aws_session_token": creds["SessionToken"]}
        self._clients: dict[str, object] = {}

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = _client(service, self._endpoint, self._region, **self._creds)
        return self._clients[service]


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") or str(exc.response.get("ResponseMetadata", {})
                                                                 .get("HTTPStatusCode", "ClientError"))
    return type(exc).__name__


def _one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"<[^>]+>", " ", text)           # an HTML error page (a proxy, an emulator's 500)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def error_text(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        message = _one_line(exc.response.get("Error", {}).get("Message") or "")
        operation = getattr(exc, "operation_name", "")
        return f"{operation}: {error_code(exc)}" + (f" ({message})" if message else "")
    return f"{type(exc).__name__}: {_one_line(str(exc))}"


def is_access_denied(exc: Exception) -> bool:
    code = error_code(exc)
    return code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403", "Forbidden") or \
        code.endswith("AccessDenied") or code.endswith("AccessDeniedException")


def paginate(client, operation: str, key: str, **kwargs) -> list:
    """All items of a paginated read (botocore paginator when there is one, else the NextToken loop)."""
    if client.can_paginate(operation):
        items = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
    items, token = [], None
    while True:
        page = getattr(client, operation)(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items


def unverified(account_id: str, check: str, what: str, exc: Exception, fix: str, doc: str = ""):
    """An AWS error while checking: a warning that says what could not be verified and why."""
    from meshform.preflight.report import Finding

    return Finding("warning", account_id, check, f"could not verify: {what}",
                   f"{error_text(exc)} — the preflight cannot tell whether the apply would break here.", fix, doc)
