"""Step Functions definitions and logging for moto 5.2.5, which accepts any definition, has no
ValidateStateMachineDefinition (the provider calls it on every plan that changes a definition) and no
ListStateMachineVersions (the provider reads it after every create).

AWS's rules:
- ValidateStateMachineDefinition answers `result` OK or FAIL with diagnostics (severity, code, message, location);
  codes from the API reference: INVALID_JSON_DESCRIPTION, MISSING_DESCRIPTION, SCHEMA_VALIDATION_FAILED,
  INVALID_RESOURCE, MISSING_END_STATE, DUPLICATE_STATE_NAME, INVALID_STATE_NAME, and the transition errors
  Step Functions reports as MISSING_TRANSITION_TARGET / UNREACHABLE_STATE; `maxResults` (default 100) bounds the
  list and `truncated` says so
  (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html,
  https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html).
- CreateStateMachine/UpdateStateMachine refuse such a definition with InvalidDefinition, and a logging
  configuration whose level is not OFF without exactly one CloudWatch Logs destination `arn:...:log-group:<name>:*`
  of an existing log group of the account and region with InvalidLoggingConfiguration
  (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors,
  https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
- What the validator checks (the Amazon States Language, https://states-language.net/spec.html): StartAt names a
  state; every state has a known Type; Task has an ARN Resource; non-terminal states have Next; every Next,
  Default, Choices[].Next and Catch[].Next names a state of the same (sub)machine; every state is reachable;
  each (sub)machine has a terminal state; Parallel has Branches and Map an ItemProcessor/Iterator, each validated
  the same way; Choice has Choices; Wait has exactly one of Seconds/Timestamp/SecondsPath/TimestampPath; Fail has
  no Next; Retry has ErrorEquals, BackoffRate >= 1, MaxAttempts >= 0, JitterStrategy FULL|NONE; names are at most
  80 characters without control characters and unique across the whole definition.
Not modelled: JSONPath and intrinsic-function syntax, JSONata, payload templates (the tests validate the
synthesized definitions with asl-validator for those); message wording is meshform's.
"""
from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import AWSError

TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_TYPES = {"Succeed", "Fail"}
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
STATE_NAME_MAX = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LOG_DESTINATION = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):([0-9]{12}):log-group:(.+):\*$")


class InvalidDefinition(AWSError):
    TYPE = "InvalidDefinition"
    STATUS = 400


class InvalidLoggingConfiguration(AWSError):
    TYPE = "InvalidLoggingConfiguration"
    STATUS = 400


def _diag(code: str, message: str, location: str, severity: str = "ERROR") -> dict[str, str]:
    return {"severity": severity, "code": code, "message": message, "location": location}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(ValueError):
    pass


def _machine(machine: Any, location: str, names: set[str], out: list[dict[str, str]]) -> None:
    if not isinstance(machine, dict):
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "a state machine must be a JSON object", location))
        return
    states = machine.get("States")
    start = machine.get("StartAt")
    if not isinstance(states, dict) or not states:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "States is required and must not be empty",
                         f"{location}/States"))
        return
    if not isinstance(start, str):
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "StartAt is required", f"{location}/StartAt"))
    elif start not in states:
        out.append(_diag("MISSING_TRANSITION_TARGET", f"StartAt names no state: {start!r}", f"{location}/StartAt"))
    edges: dict[str, list[str]] = {}
    terminal = False
    for name, state in states.items():
        where = f"{location}/States/{name}"
        if name in names:
            out.append(_diag("DUPLICATE_STATE_NAME", f"state name {name!r} is used more than once", where))
        names.add(name)
        if len(name) > STATE_NAME_MAX or _CONTROL.search(name) or not name:
            out.append(_diag("INVALID_STATE_NAME", f"state names are 1-{STATE_NAME_MAX} characters without control "
                             "characters", where))
        if not isinstance(state, dict):
            out.append(_diag("SCHEMA_VALIDATION_FAILED", "a state must be a JSON object", where))
            continue
        kind = state.get("Type")
        if kind not in TYPES:
            out.append(_diag("SCHEMA_VALIDATION_FAILED", f"unknown state Type {kind!r}", f"{where}/Type"))
            continue
        targets = _targets(state)
        edges[name] = targets
        ends = kind in TERMINAL_TYPES or state.get("End") is True
        terminal = terminal or ends
        if kind == "Choice":
            if not state.get("Choices"):
                out.append(_diag("SCHEMA_VALIDATION_FAILED", "a Choice state needs Choices", f"{where}/Choices"))
        elif kind == "Fail":
            if "Next" in state or "End" in state:
                out.append(_diag("SCHEMA_VALIDATION_FAILED", "a Fail state has no Next or End", where))
        elif kind != "Succeed" and not ends and "Next" not in state:
            out.append(_diag("SCHEMA_VALIDATION_FAILED", "a non-terminal state needs Next (or End: true)", where))
        if kind == "Task":
            resource = state.get("Resource")
            if not isinstance(resource, str) or not resource.startswith("arn:aws"):
                out.append(_diag("INVALID_RESOURCE", f"Resource {resource!r} is not an ARN", f"{where}/Resource"))
        if kind == "Wait" and sum(field in state for field in WAIT_FIELDS) != 1:
            out.append(_diag("SCHEMA_VALIDATION_FAILED", f"a Wait state needs exactly one of {', '.join(WAIT_FIELDS)}",
                             where))
        if kind == "Parallel":
            branches = state.get("Branches")
            if not isinstance(branches, list) or not branches:
                out.append(_diag("SCHEMA_VALIDATION_FAILED", "a Parallel state needs Branches", f"{where}/Branches"))
            for i, branch in enumerate(branches or []):
                _machine(branch, f"{where}/Branches/{i}", names, out)
        if kind == "Map":
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if inner is None:
                out.append(_diag("SCHEMA_VALIDATION_FAILED", "a Map state needs ItemProcessor", where))
            else:
                _machine(inner, f"{where}/ItemProcessor", names, out)
        for i, retry in enumerate(state.get("Retry") or []):
            _retrier(retry, f"{where}/Retry/{i}", out)
    for name, targets in edges.items():
        for target in targets:
            if target not in states:
                out.append(_diag("MISSING_TRANSITION_TARGET", f"state {name!r} transitions to unknown state "
                                 f"{target!r}", f"{location}/States/{name}"))
    if not terminal:
        out.append(_diag("MISSING_END_STATE", "no state ends the workflow (End: true, Succeed or Fail)", location))
    reached: set[str] = set()
    pending = [start] if isinstance(start, str) else []
    while pending:
        current = pending.pop()
        if current in reached or current not in states:
            continue
        reached.add(current)
        pending.extend(edges.get(current, []))
    for name in states:
        if name not in reached:
            out.append(_diag("UNREACHABLE_STATE", f"state {name!r} is not reachable", f"{location}/States/{name}"))


def _targets(state: dict) -> list[str]:
    found = [state["Next"]] if isinstance(state.get("Next"), str) else []
    if isinstance(state.get("Default"), str):
        found.append(state["Default"])
    for choice in state.get("Choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("Next"), str):
            found.append(choice["Next"])
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            found.append(catcher["Next"])
    return found


def _retrier(retry: Any, where: str, out: list[dict[str, str]]) -> None:
    if not isinstance(retry, dict) or not retry.get("ErrorEquals"):
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "a Retry entry needs ErrorEquals", where))
        return
    if retry.get("BackoffRate", 2.0) < 1.0:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "BackoffRate must be at least 1.0", f"{where}/BackoffRate"))
    if retry.get("MaxAttempts", 3) < 0:
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "MaxAttempts must not be negative", f"{where}/MaxAttempts"))
    if retry.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
        out.append(_diag("SCHEMA_VALIDATION_FAILED", "JitterStrategy is FULL or NONE", f"{where}/JitterStrategy"))


def diagnostics(definition: Any) -> list[dict[str, str]]:
    if not isinstance(definition, str) or not definition.strip():
        return [_diag("MISSING_DESCRIPTION", "the definition is empty", "/")]
    try:
        parsed = json.loads(definition, object_pairs_hook=_no_duplicate_keys)
    except _Duplicate as duplicate:
        return [_diag("DUPLICATE_STATE_NAME", f"key {duplicate} appears twice in one object", "/")]
    except ValueError as error:
        return [_diag("INVALID_JSON_DESCRIPTION", f"not JSON: {error}", "/")]
    out: list[dict[str, str]] = []
    _machine(parsed, "", set(), out)
    return out


def _check_definition(definition: Any) -> None:
    found = diagnostics(definition)
    if found:
        first = found[0]
        raise InvalidDefinition(f"Invalid State Machine Definition: '{first['code']}: {first['message']} at "
                                f"{first['location'] or '/'}'")


def _check_logging(config: Any, account: str, region: str) -> None:
    from moto.logs.models import logs_backends

    if not config:
        return
    level = config.get("level", "OFF")
    if level not in ("ALL", "ERROR", "FATAL", "OFF"):
        raise InvalidLoggingConfiguration(f"Invalid Logging Configuration: level {level!r}")
    destinations = config.get("destinations") or []
    if level == "OFF" and not destinations:
        return
    if len(destinations) != 1:
        raise InvalidLoggingConfiguration("Invalid Logging Configuration: exactly one destination is required")
    arn = ((destinations[0] or {}).get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "")
    match = LOG_DESTINATION.match(arn)
    if not match:
        raise InvalidLoggingConfiguration(f"Invalid Logging Configuration: Log Destination not a CloudWatch Logs log "
                                          f"group ARN ending in ':*': {arn!r}")
    if (match.group(1), match.group(2)) != (region, account) or \
            match.group(3) not in logs_backends[account][region].groups:
        raise InvalidLoggingConfiguration(f"Invalid Logging Configuration: Log Destination not found: {arn!r}")


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original_create = StepFunctionResponse.create_state_machine
    original_update = StepFunctionResponse.update_state_machine
    if getattr(original_create, "__meshform__", False):
        return

    def create_state_machine(self: Any):
        _check_definition(self._get_param("definition"))
        _check_logging(self._get_param("loggingConfiguration"), self.current_account, self.region)
        return original_create(self)

    def update_state_machine(self: Any):
        if self._get_param("definition") is not None:
            _check_definition(self._get_param("definition"))
        _check_logging(self._get_param("loggingConfiguration"), self.current_account, self.region)
        return original_update(self)

    def validate_state_machine_definition(self: Any):
        found = diagnostics(self._get_param("definition"))
        severity = self._get_param("severity") or "ERROR"
        if severity == "ERROR":
            found = [d for d in found if d["severity"] == "ERROR"]
        limit = self._get_param("maxResults") or 100
        result = "FAIL" if any(d["severity"] == "ERROR" for d in found) else "OK"
        return ActionResult({"result": result, "diagnostics": found[:limit], "truncated": len(found) > limit})

    def list_state_machine_versions(self: Any):
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
        return ActionResult({"stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]})

    create_state_machine.__meshform__ = True  # type: ignore[attr-defined]
    StepFunctionResponse.create_state_machine = create_state_machine
    StepFunctionResponse.update_state_machine = update_state_machine
    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
