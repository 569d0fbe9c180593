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
  and unique (PyYAML silently keeps the last duplicate);
- no unquoted value that YAML 1.1 reads as something its author rarely means and that would otherwise be accepted
  silently or rejected with a confusing message: base-60 numbers (`5:00` is 300), octal numbers written with a
  leading zero (`010` is 8, `022222222222` is not an account ID), dates (`2024-01-01`: no field holds a date
  object). Each is reported with how YAML read it and the quoted form to write instead.

`Lines` (the line of each field path) also keeps the source text of every unquoted value YAML read as a boolean,
number or null (`plain`), so that type errors further on can say how YAML read it: `region: yes` is "the boolean
true (YAML reads unquoted `yes` as a boolean)", fixed by `region: "yes"` (`describe_value`, `quote_fix`).
"""
from __future__ import annotations

import errno
import math
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
_STR = _CORE + "str"
_ScalarEvent = yaml.ScalarEvent
# First characters of the plain scalars YAML's resolver may type (null, bool, int, float, timestamp, merge, value):
# any other plain scalar is text without asking it (the event loop's fast path).
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
_RESOLVE_ALL = None in _RESOLVED_FIRST      # a resolver for any first character: resolve every plain scalar
INLINE_COMMON_EVENTS = True     # False sends every event down the general path (tests compare the two)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
# Characters YAML 1.1 allows in a stream (PyYAML's Reader); anything else is reported with its line.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")

ANCHOR_FIX = ("write the value out in full: YAML anchors (&name) and aliases (*name) are not allowed in spec and "
              "contract files (a spec has no use for them, and they allow alias loops and exponential 'billion "
              "laughs' expansion)")

_OCTAL = re.compile(r"[-+]?0[0-7_]+")     # YAML 1.1's octal int (a leading zero); `0o10` is text in YAML 1.1


class Lines(dict[str, int]):
    """Dotted field path -> 1-based line. `plain`: path -> the source text of each unquoted value that YAML read as
    a boolean, number or null rather than as text (what messages quote back to the user). `reported`: paths whose
    value was already reported here (a base-60 number, a leading-zero octal, a date): later checks leave them out,
    so one mistake gives one message."""

    def __init__(self) -> None:
        super().__init__()
        self.plain: dict[str, str] = {}
        self.reported: set[str] = set()


def already_reported(lines: dict | None, path: str) -> bool:
    """Whether loading the YAML already reported the value at `path` (see `Lines.reported`)."""
    return path in getattr(lines, "reported", ())


def plain_text(lines: dict | None, path: str) -> str | None:
    """The source text of the unquoted non-text value at `path`, if `lines` came from this module and knows it."""
    return getattr(lines, "plain", {}).get(path)


def describe_value(value: object, raw: str | None = None) -> str:
    """What a value is, in the words of an error message, with how YAML read it when the source said otherwise:
    `yes` -> "the boolean true (YAML reads unquoted `yes` as a boolean)"."""
    if value is None:
        if not raw:
            return "an empty value (YAML reads a key without a value as null)"
        return f"null (YAML reads unquoted `{raw}` as null)"
    if isinstance(value, bool):
        shown = "true" if value else "false"
        return f"the boolean {shown}" + (f" (YAML reads unquoted `{raw}` as a boolean)" if raw else "")
    if isinstance(value, int | float):
        note = f" (YAML reads unquoted `{raw}` as a number)" if raw is not None and raw != str(value) else ""
        return f"the number {value}{note}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def quote_fix(path: str, raw: str) -> str:
    """`quote it: region: "yes"` (a list item: `quote it: "yes"`)."""
    key = path.rsplit(".", 1)[-1]
    quoted = '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"quote it: {quoted}" if key.isdigit() or not key else f"quote it: {key}: {quoted}"


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


def load_yaml(path: Path, errors: ErrorList, display: str) -> tuple[object, Lines] | tuple[None, None]:
    """Return (data, lines) where lines maps dotted field paths to 1-based line numbers.

    (None, None) when the file cannot be used, always with at least one error added to `errors`: callers never drop
    a file silently. Values YAML types in ways nobody means (`_check_plain`) are reported too, but the data is still
    returned, with those values as their source text, so that the rest of the file is checked in the same run.
    """
    text = read_text_file(path, errors, display)
    if text is None:
        return None, None
    return parse_yaml(text, errors, display)


def parse_yaml(text: str, errors: ErrorList, display: str) -> tuple[object, Lines] | tuple[None, None]:
    """One pass over the parser's events checks the structure (anchors, aliases, tags, documents, depth) and
    builds the data with each path's line. Nothing is composed before the checks pass, so a bomb or a deep nest
    costs no more than reading up to it; one pass instead of check-then-compose halves the time per file."""
    before = len(errors)
    builder = _EventBuilder(text, errors, display)
    parsed = builder.run()
    blocked = parsed is None or len(errors) != before
    errors.errors.extend(builder.soft.errors)
    if parsed is None or blocked:
        return None, None
    data, lines = parsed
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
    blank = _indentation_problem(text, mark)
    if blank is not None:
        bad_line, what, column = blank
        errors.add(display, "", f"YAML syntax error at line {line}: {detail} — line {bad_line} is indented with "
                   f"a {what} (column {column}); YAML indents with spaces only",
                   f"replace the {what} at line {bad_line} with spaces", {"": bad_line})
        return
    errors.add(display, "", f"YAML syntax error at line {line}: {detail}",
               "fix the YAML syntax (indentation, quotes, colons) at that line", {"": line})


_BLANKS = {"\t": "tab", "\u00a0": "non-breaking space (U+00A0)", "\u3000": "ideographic space (U+3000)",
           "\u2003": "em space (U+2003)"}


def _indentation_problem(text: str, mark) -> tuple[int, str, int] | None:
    """(line, what, column) of a tab or look-alike space in the indentation of the error's line or the line before:
    YAML forbids tabs in indentation and takes other blanks for content, so the parser's own message (found
    character that cannot start any token, mapping values are not allowed here) does not say what is wrong."""
    if mark is None:
        return None
    lines = text.split("\n")
    for index in (mark.line, mark.line - 1):
        if not 0 <= index < len(lines):
            continue
        content = lines[index]
        indent = content[:len(content) - len(content.lstrip(" " + "".join(_BLANKS)))]
        for column, char in enumerate(indent, 1):
            if char in _BLANKS:
                return index + 1, _BLANKS[char], column
    return None


class _Frame:
    """An open collection while streaming: the structure checker's path state plus what is being built."""
    __slots__ = ("path", "prefix", "mapping", "slot", "expect_key", "value", "seen", "key", "discard", "skip_value")

    def __init__(self, path: str, mapping: bool, value: dict | list, discard: bool):
        self.path = path
        self.prefix = f"{path}." if path else ""     # of its children's paths
        self.mapping = mapping
        self.slot: int | str = 0            # next sequence index, or the current mapping key (as written)
        self.expect_key = True
        self.value = value
        self.seen: dict[str, int] = {}
        self.key: str | None = None         # the current mapping key, once accepted
        self.discard = discard              # inside something that is reported and dropped (not built)
        self.skip_value = False             # the current key was refused: drop its value


class _EventBuilder:
    def __init__(self, text: str, errors: ErrorList, display: str):
        self.text, self.errors, self.display = text, errors, display
        self.problems = 0                   # structure problems (reported, and nothing is built)
        self.found = ErrorList()            # problems building the data (reported only if the structure is fine)
        self.soft = ErrorList()             # values reported but kept as text: the file is still checked
        self.lines = Lines()
        self.documents = 0                  # documents started so far
        self.first_anchor: tuple[str, str, int] | None = None     # (path, what, line) of the first anchor/alias
        self.stopped = False                # reading ends here (an anchor or alias, too deep)

    def report(self, path: str, line: int, problem: str, fix: str) -> None:
        self.problems += 1
        if self.problems <= _MAX_STRUCTURE_ERRORS:
            self.errors.add(self.display, path, problem, fix, {path: line} if path else {"": line})

    def run(self) -> tuple[object, Lines] | None:
        stack: list[_Frame] = []
        root: list[object] = []
        loader = _Loader(self.text)
        get_event = loader.get_event
        lines = self.lines
        plain_texts = lines.plain
        inline = False              # whether the next scalar may take the inline path (see below)
        try:
            while (event := get_event()) is not None:          # None: after the stream's end
                kind = type(event)
                if kind is _ScalarEvent and inline and event.anchor is None and event.tag is None:
                    # The common case, taken inline (most events of a file are plain keys and text values): what
                    # the general path below does for it, without its calls. `inline` holds while the document is
                    # the first, nothing is wrong with its structure and the open collection is being built.
                    top = stack[-1]
                    value = event.value
                    tag = _plain_tag(loader, value) if event.implicit[0] and (
                        _RESOLVE_ALL or value[:1] in _RESOLVED_FIRST) else _STR
                    if top.mapping:
                        if top.expect_key:
                            top.expect_key = False
                            top.slot = value
                            if tag == _STR and value not in top.seen:
                                line = event.start_mark.line + 1
                                top.seen[value] = line
                                lines[f"{top.prefix}{value}"] = line
                                top.key = value
                                top.skip_value = False
                                continue
                            path, is_key = f"{top.prefix}{value}", True
                        else:
                            top.expect_key = True
                            if top.skip_value:
                                continue                           # the key was refused: its value is dropped
                            if tag == _STR:
                                top.value[top.key] = value         # type: ignore[call-overload]
                                continue
                            path, is_key = f"{top.prefix}{top.slot}", False
                            typed = _simple_value(tag, value)
                            if typed is not _NOT_SIMPLE:
                                plain_texts[path] = value
                                top.value[top.key] = typed         # type: ignore[call-overload]
                                continue
                    else:
                        index = top.slot
                        top.slot = int(index) + 1
                        path, is_key = f"{top.prefix}{index}", False
                        if tag == _STR:
                            lines[path] = event.start_mark.line + 1
                            top.value.append(value)                # type: ignore[union-attr]
                            continue
                    self._scalar_event(loader, event, top, path, is_key, event.start_mark.line + 1, root)
                    continue
                self._general(loader, event, kind, stack, root)
                if self.stopped:
                    break
                inline = INLINE_COMMON_EVENTS and self.documents == 1 and self.problems == 0 and bool(stack) \
                    and not stack[-1].discard
        except yaml.YAMLError as exc:
            _syntax_error(exc, self.text, self.errors, self.display)
            self.problems += 1
        finally:
            loader.dispose()
        if self.first_anchor is not None:
            path, what, line = self.first_anchor
            self.report(path, line, f"YAML anchors and aliases are not allowed ({what} at line {line})", ANCHOR_FIX)
        if self.problems > _MAX_STRUCTURE_ERRORS:
            self.errors.add(self.display, "", f"{self.problems - _MAX_STRUCTURE_ERRORS} more problem(s) of the "
                            "same kinds in this file", "fix the ones listed, then validate again")
        if self.problems:
            return None
        if self.documents == 0:
            self.errors.add(self.display, "", "the file is empty (no YAML document)", "add the document's content")
            return None
        self.errors.errors.extend(self.found.errors)
        return (root[0] if root else None), self.lines

    def _general(self, loader, event, kind: type, stack: list[_Frame], root: list[object]) -> None:
        """One event the inline path of `run` does not take: documents, collections, anchors, aliases, tags, and
        scalars outside a collection being built. Sets `stopped` where reading must end."""
        line = event.start_mark.line + 1
        if kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents == 2:
                self.report("", line, "more than one YAML document in the file (a second '---')",
                            "keep exactly one document per file")
            return
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            return
        if kind not in _NODE_EVENTS:
            return
        path, is_key = _event_path(stack, event)
        if kind is yaml.AliasEvent or event.anchor is not None:
            # Stop at the first one: the time spent on a bomb is bounded by its position, not its size.
            what = "alias *" if kind is yaml.AliasEvent else "anchor &"
            self.first_anchor = (path, f"{what}{event.anchor}", line)
            self.stopped = True
            return
        tag = event.tag
        if tag is not None and tag not in _ALLOWED_TAGS and not (tag == "!" and kind is _ScalarEvent):
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            self.report(path, line, f"the YAML tag {shown!r} is not allowed",
                        "remove the tag: spec and contract files hold plain strings, numbers, booleans, "
                        "lists and mappings (quote a value to keep it as text)")
        parent = stack[-1] if stack else None
        discard = self.documents > 1 or self.problems > 0 or (
            parent is not None and (parent.discard or (not is_key and parent.mapping and parent.skip_value)))
        if kind is _ScalarEvent:
            if not discard:
                self._scalar_event(loader, event, parent, path, is_key, line, root)
            return
        if len(stack) >= MAX_DEPTH:
            self.report(path, line, f"the document nests deeper than {MAX_DEPTH} levels",
                        f"flatten it: spec and contract files need only a few levels (at most {MAX_DEPTH})")
            self.stopped = True
            return
        mapping = kind is yaml.MappingStartEvent
        value: dict | list = {} if mapping else []
        if is_key and parent is not None:
            if not discard:
                self.found.add(self.display, parent.path, f"a mapping key at line {line} is a list or "
                               "mapping", "use text as keys", {"": line})
            parent.skip_value = True
            discard = True
        elif not discard:
            self._attach(parent, path, line, value, root)
        stack.append(_Frame(path if not is_key else path + ".?", mapping, value, discard))

    def _check_plain(self, raw: str, tag: str, value: object, path: str, line: int) -> object:
        """Unquoted values YAML 1.1 types in ways their authors rarely mean (the module docstring's last rule):
        reported, and kept as their source text (what the author meant) so that later checks can go on."""
        if tag == _CORE + "timestamp" and value is not None:
            problem = (f"YAML reads unquoted `{raw}` as a date, but spec and contract fields hold text, numbers and "
                       "booleans, never dates")
            fix = quote_fix(path, raw)
        elif tag in (_CORE + "int", _CORE + "float") and ":" in raw:
            problem = f"YAML 1.1 reads unquoted `{raw}` as the base-60 (sexagesimal) number {value}"
            fix = f"write the number in decimal, or {quote_fix(path, raw)} to keep it as text"
        elif tag == _CORE + "int" and _OCTAL.fullmatch(raw):
            problem = f"YAML 1.1 reads unquoted `{raw}` (a leading zero) as the octal number {value}"
            fix = (f"{quote_fix(path, raw)} if the digits are text (an account ID, a code), or write the number "
                   "without the leading zero")
        elif isinstance(value, float) and not math.isfinite(value):
            problem = f"YAML reads unquoted `{raw}` as {value} (not a finite number)"
            fix = f"write a finite number, or {quote_fix(path, raw)} to keep it as text"
        else:
            return value
        self.soft.add(self.display, path, problem, fix, {path: line} if path else {"": line})
        self.lines.reported.add(path)
        return raw

    def _attach(self, parent: _Frame | None, path: str, line: int, value: object, root: list[object]) -> None:
        """Place a built value: the document's root, a sequence item or the current key's value."""
        if parent is None:
            self.lines[""] = line
            root.append(value)
        elif parent.mapping:
            assert parent.key is not None
            parent.value[parent.key] = value                  # type: ignore[call-overload]
        else:
            self.lines[path] = line
            parent.value.append(value)                        # type: ignore[union-attr]

    def _scalar_event(self, loader, event, parent: _Frame | None, path: str, is_key: bool, line: int,
                      root: list[object]) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if not is_key:
            value = event.value if tag == _STR else _scalar(loader, yaml.ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, event.style), path, self.found, self.display)
            if event.tag is None and event.implicit[0] and tag != _STR:      # unquoted, and YAML typed it
                self.lines.plain[path] = event.value
                value = self._check_plain(event.value, tag, value, path, line)
            self._attach(parent, path, line, value, root)
            return
        assert parent is not None
        parent.skip_value = True                              # until the key is accepted below
        key = str(event.value)
        if tag == _CORE + "merge":
            self.found.add(self.display, path, "YAML merge keys (<<) are not allowed",
                           "write the merged keys out in full", {path: line})
            return
        value = event.value if tag == _STR else _scalar(loader, yaml.ScalarNode(
            tag, event.value, event.start_mark, event.end_mark, event.style), path, self.found, self.display)
        if not isinstance(value, str):
            self.found.add(self.display, path, f"the key {key!r} is read as {type(value).__name__}, not as text",
                           f"quote the key: \"{key}\"", {path: line})
            return
        if key in parent.seen:
            self.found.add(self.display, path, f"duplicate key '{key}' (first defined at line {parent.seen[key]})",
                           "keep one entry per key: merge or rename the duplicate", {path: line})
            return
        parent.seen[key] = line
        self.lines[path] = line
        parent.key = value
        parent.skip_value = False


_BOOL, _INT, _NULL = _CORE + "bool", _CORE + "int", _CORE + "null"
_BOOL_VALUES: dict[str, bool] = yaml.constructor.SafeConstructor.bool_values
_NOT_SIMPLE = object()


def _simple_value(tag: str, text: str) -> object:
    """The value of an unquoted boolean, null or plain decimal integer, as the safe constructor builds it, or
    _NOT_SIMPLE for anything that needs the constructor or `_check_plain` (signs, underscores, other bases, a leading
    zero, base 60, floats, dates, more digits than int() reads without a limit check)."""
    if tag == _BOOL:
        return _BOOL_VALUES[text.lower()]
    if tag == _NULL:
        return None
    if tag == _INT and len(text) < 19 and text.isascii() and text.isdigit() and (text[0] != "0" or text == "0"):
        return int(text)
    return _NOT_SIMPLE


_PLAIN_TAGS: dict[str, str] = {}       # plain scalar -> its resolved tag: keys and short values repeat across files
_PLAIN_TAGS_MAX = 20_000


def _plain_tag(loader, value: str) -> str:
    """The tag YAML's resolver gives an unquoted scalar. It depends on the text alone (the safe loader has no path
    resolvers), so short texts are remembered."""
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = loader.resolve(yaml.ScalarNode, value, (True, False))
        if len(value) <= 64 and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
            _PLAIN_TAGS[value] = tag
    return tag


def _event_path(stack: list[_Frame], event) -> tuple[str, bool]:
    """Dotted path of the node an event starts, and whether the node is a mapping key."""
    if not stack:
        return "", False
    top = stack[-1]
    prefix = f"{top.path}." if top.path else ""
    if not top.mapping:
        index = top.slot
        top.slot = int(index) + 1
        return f"{prefix}{index}", False
    if top.expect_key:
        top.expect_key = False
        top.slot = event.value if type(event) is yaml.ScalarEvent else "?"
        return f"{prefix}{top.slot}", True
    top.expect_key = True
    return f"{prefix}{top.slot}", False


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
