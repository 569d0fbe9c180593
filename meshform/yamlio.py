"""YAML loading for spec, contract and handshake files: hostile input is input too.

Rules (each violation is a SpecError naming the file, the line and the field path, never a traceback):
- the file must be a readable regular file (not a directory, device, FIFO or broken link) of at most
  MAX_FILE_BYTES, in UTF-8;
- one YAML document, nested at most MAX_DEPTH levels (deeper input is refused before it is composed, so no
  RecursionError can escape);
- no anchors (&a) and no aliases (*a): a spec has no reason to share nodes, and refusing them outright is what
  makes alias loops and "billion laughs" bombs cost nothing (they are rejected while streaming the parser's
  events, before anything is expanded);
- no tags except YAML's plain core ones (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map): no
  !!python/..., !!binary, !!timestamp, !!set, local !tags;
- every scalar must construct (no impossible dates such as 2024-02-30, no `!!int abc`), mapping keys are text
  and unique (PyYAML silently keeps the last duplicate).
"""
from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

import yaml

from meshform.errors import ErrorList

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 5 * 1024 * 1024      # the bundled contracts are < 20 KB; this bounds memory for any input
MAX_DEPTH = 64                        # a contract nests ~8 levels (schema.0.properties.0.items.properties...)
_MAX_STRUCTURE_ERRORS = 20            # per file: enough to fix, not a flood for a bomb with thousands of aliases

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}
# Characters YAML 1.1 allows in a stream (PyYAML's Reader); anything else is reported with its line.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")

ANCHOR_FIX = ("write the value out in full: YAML anchors (&name) and aliases (*name) are not allowed in spec and "
              "contract files (a spec has no use for them, and they allow alias loops and exponential 'billion "
              "laughs' expansion)")


def read_text_file(path: Path, errors: ErrorList, display: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The file's text, or None after reporting why it cannot be read (never raises for file-system problems)."""
    def fail(problem: str, fix: str) -> None:
        errors.add(display, "", problem, fix)

    try:
        info = os.stat(path)                                  # follows symbolic links
    except FileNotFoundError:
        if os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            fail(f"broken symbolic link (it points to {target!r}, which does not exist)",
                 "point the link at an existing file or replace it with the file itself")
        else:
            fail("the file does not exist (or a directory on its path is missing)", "create the file")
        return None
    except (OSError, ValueError) as exc:
        fail(*os_problem(exc))
        return None
    if stat.S_ISDIR(info.st_mode):
        fail("is a directory, but a YAML file is expected here", "replace the directory with a file")
        return None
    if not stat.S_ISREG(info.st_mode):
        fail("is not a regular file (a device, FIFO or socket)", "replace it with a regular YAML file")
        return None
    if info.st_size > max_bytes:
        fail(f"the file is {info.st_size} bytes; spec and contract files may be at most {max_bytes} bytes",
             "split the content or remove what does not belong in it")
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        fail(*os_problem(exc))
        return None
    if len(raw) > max_bytes:
        fail(f"the file is larger than {max_bytes} bytes", "split the content or remove what does not belong in it")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        errors.add(display, "", f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column} "
                   f"({exc.reason})", "save the file as UTF-8", {"": line})
        return None


def os_problem(exc: BaseException, what: str = "file") -> tuple[str, str]:
    if isinstance(exc, ValueError):                           # e.g. an embedded NUL byte in the path
        return f"cannot read the {what}: invalid path ({exc})", "rename the file or directory"
    code = getattr(exc, "errno", None)
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return (f"permission denied: the {what} (or a directory on its path) is not readable by this user",
                "make it readable, e.g. chmod a+r on the file and a+rx on its directories")
    if code == errno.ENAMETOOLONG:
        return (f"the {what} name (or its path) is too long for the file system",
                "shorten the name (a name of a domain, consumer or product becomes a file or directory name)")
    if code == errno.ELOOP:
        return "symbolic link loop", "point the link at a real file"
    if code == errno.EISDIR:
        return "is a directory, but a YAML file is expected here", "replace the directory with a file"
    return f"cannot read the {what}: {getattr(exc, 'strerror', None) or exc}", f"make it a readable {what}"


def load_yaml(path: Path, errors: ErrorList, display: str) -> tuple[object, dict[str, int]] | tuple[None, None]:
    """Return (data, lines) where lines maps dotted field paths to 1-based line numbers.

    (None, None) exactly when at least one error was added to `errors`: callers never drop a file silently.
    """
    text = read_text_file(path, errors, display)
    if text is None:
        return None, None
    return parse_yaml(text, errors, display)


def parse_yaml(text: str, errors: ErrorList, display: str) -> tuple[object, dict[str, int]] | tuple[None, None]:
    before = len(errors)
    try:
        if not _check_structure(text, errors, display):
            return None, None
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                errors.add(display, "", "the file is empty (no YAML document)", "add the document's content")
                return None, None
            lines: dict[str, int] = {"": root.start_mark.line + 1}
            data = _build(loader, root, "", 0, lines, errors, display)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        _syntax_error(exc, text, errors, display)
        return None, None
    except RecursionError:                                     # unreachable with MAX_DEPTH; never a traceback
        errors.add(display, "", "the document is nested too deeply", f"nest at most {MAX_DEPTH} levels")
        return None, None
    if len(errors) != before:
        return None, None
    if data is None:
        errors.add(display, "", "the document is null (empty)", "add the document's content", lines)
        return None, None
    return data, lines


def _syntax_error(exc: yaml.YAMLError, text: str, errors: ErrorList, display: str) -> None:
    if isinstance(exc, yaml.reader.ReaderError) or "special characters are not allowed" in str(exc):
        bad = _NOT_PRINTABLE.search(text)
        if bad is not None:
            line = text.count("\n", 0, bad.start()) + 1
            errors.add(display, "", f"contains the control character U+{ord(bad.group()):04X} at line {line}, "
                       "which YAML does not allow", "remove it (write it as an escape in a double-quoted string "
                       "if it is really meant)", {"": line})
            return
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{context}, {problem}" if context else problem
    errors.add(display, "", f"YAML syntax error at line {line}: {detail}",
               "fix the YAML syntax (indentation, quotes, colons) at that line", {"": line})


def _check_structure(text: str, errors: ErrorList, display: str) -> bool:
    """Stream the parser's events (nothing is composed or expanded): refuse anchors, aliases, tags other than
    the core ones, more than one document and nesting deeper than MAX_DEPTH. True when none was found."""
    problems = 0
    first_anchor: tuple[str, str, int] | None = None

    def report(path: str, line: int, problem: str, fix: str) -> None:
        nonlocal problems
        problems += 1
        if problems <= _MAX_STRUCTURE_ERRORS:
            errors.add(display, path, problem, fix, {path: line} if path else {"": line})

    # Each open collection: [path, is_mapping, next index / current key, expecting a key].
    stack: list[list] = []
    documents = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents == 2:
                    report("", line, "more than one YAML document in the file (a second '---')",
                           "keep exactly one document per file")
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                                      yaml.AliasEvent)):
                continue
            path, is_key = _event_path(stack, event)
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
                # Stop at the first one: the time spent on a bomb is bounded by its position, not its size.
                kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
                first_anchor = (path, f"{kind}{event.anchor}", line)
                break
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _ALLOWED_TAGS and not (tag == "!" and isinstance(event,
                                                                                                yaml.ScalarEvent)):
                shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
                report(path, line, f"the YAML tag {shown!r} is not allowed",
                       "remove the tag: spec and contract files hold plain strings, numbers, booleans, lists and "
                       "mappings (quote a value to keep it as text)")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    report(path, line, f"the document nests deeper than {MAX_DEPTH} levels",
                           f"flatten it: spec and contract files need only a few levels (at most {MAX_DEPTH})")
                    break
                stack.append([path if not is_key else path + ".?", isinstance(event, yaml.MappingStartEvent),
                              0, True])
    except yaml.YAMLError as exc:
        _syntax_error(exc, text, errors, display)
        problems += 1
    finally:
        loader.dispose()
    if first_anchor is not None:
        path, what, line = first_anchor
        report(path, line, f"YAML anchors and aliases are not allowed ({what} at line {line})", ANCHOR_FIX)
    if problems > _MAX_STRUCTURE_ERRORS:
        errors.add(display, "", f"{problems - _MAX_STRUCTURE_ERRORS} more problem(s) of the same kinds in this file",
                   "fix the ones listed, then validate again")
    return problems == 0


def _event_path(stack: list[list], event) -> tuple[str, bool]:
    """Dotted path of the node an event starts, and whether the node is a mapping key."""
    if not stack:
        return "", False
    top = stack[-1]
    prefix = f"{top[0]}." if top[0] else ""
    if not top[1]:
        index = top[2]
        top[2] += 1
        return f"{prefix}{index}", False
    if top[3]:                                                 # a key
        top[3] = False
        top[2] = event.value if isinstance(event, yaml.ScalarEvent) else "?"
        return f"{prefix}{top[2]}", True
    top[3] = True
    return f"{prefix}{top[2]}", False


def _build(loader, node: yaml.Node, path: str, depth: int, lines: dict[str, int], errors: ErrorList,
           display: str) -> object:
    """Python data from a composed node (no aliases, depth <= MAX_DEPTH), recording every path's line."""
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                errors.add(display, path, f"a mapping key at line {line} is a list or mapping",
                           "use text as keys", {"": line})
                continue
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if key_node.tag == _CORE + "merge":
                errors.add(display, key_path, "YAML merge keys (<<) are not allowed",
                           "write the merged keys out in full", {key_path: line})
                continue
            value = _scalar(loader, key_node, key_path, errors, display)
            if not isinstance(value, str):
                errors.add(display, key_path, f"the key {key!r} is read as {type(value).__name__}, not as text",
                           f"quote the key: \"{key}\"", {key_path: line})
                continue
            if key in seen:
                errors.add(display, key_path, f"duplicate key '{key}' (first defined at line {seen[key]})",
                           "keep one entry per key: merge or rename the duplicate", {key_path: line})
                continue
            seen[key] = line
            lines[key_path] = line
            result[value] = _build(loader, value_node, key_path, depth + 1, lines, errors, display)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            item_path = f"{path}.{index}" if path else str(index)
            lines[item_path] = item.start_mark.line + 1
            items.append(_build(loader, item, item_path, depth + 1, lines, errors, display))
        return items
    assert isinstance(node, yaml.ScalarNode)                   # no aliases: only three node kinds
    return _scalar(loader, node, path, errors, display)


def _scalar(loader, node: yaml.ScalarNode, path: str, errors: ErrorList, display: str) -> object:
    if node.tag in (_CORE + "value", _CORE + "merge"):         # a plain '=' or '<<' as a value: just text
        return node.value
    try:
        return loader.construct_object(node)
    except Exception as exc:                                    # ValueError, OverflowError, ConstructorError, ...
        line = node.start_mark.line + 1
        kind = node.tag[len(_CORE):] if node.tag.startswith(_CORE) else node.tag
        reason = getattr(exc, "problem", None) or str(exc)
        fix = ("write a real date/time (YYYY-MM-DD), or quote the value to keep it as text" if kind == "timestamp"
               else "correct the value, or quote it to keep it as text")
        errors.add(display, path, f"cannot read {node.value!r} as {kind}: {reason}", fix,
                   {path: line} if path else {"": line})
        return None
