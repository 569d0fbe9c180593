"""A small strict reader over sqlglot's Redshift tokens, for the statements sqlglot 30 does not parse (datashares,
GRANT/REVOKE, roles and users, CREATE DATABASE ... FROM DATASHARE, SHOW). Unquoted and quoted identifiers fold to
lower case, as Redshift does unless enable_case_sensitive_identifier is on
(https://docs.aws.amazon.com/redshift/latest/dg/r_names.html)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlglot
from sqlglot.tokens import Token, TokenType

from meshform.local.redshift_sql.errors import SYNTAX, SqlError

T = TypeVar("T")
_PUNCT = {TokenType.COMMA, TokenType.DOT, TokenType.SEMICOLON, TokenType.L_PAREN, TokenType.R_PAREN,
          TokenType.EQ, TokenType.STRING, TokenType.NUMBER, TokenType.STAR}


def split_statements(sql: str) -> list[str]:
    """The statements of a script, split at top-level semicolons (strings and quoted names respected)."""
    try:
        tokens = sqlglot.tokenize(sql, read="redshift")
    except sqlglot.errors.TokenError as error:
        raise SqlError(f"syntax error: {error}", SYNTAX) from None
    out, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            out.append(sql[start:token.start].strip())
            start = token.end + 1
    out.append(sql[start:].strip())
    return [s for s in out if s]


class Tokens:
    def __init__(self, sql: str):
        self.sql = sql
        try:
            self.tokens: list[Token] = sqlglot.tokenize(sql, read="redshift")
        except sqlglot.errors.TokenError as error:
            raise SqlError(f"syntax error: {error}", SYNTAX) from None
        self.i = 0

    def _at(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def error(self) -> SqlError:
        token = self._at()
        near = token.text if token is not None else "end of input"
        return SqlError(f'syntax error at or near "{near}"', SYNTAX)

    def peek(self, *words: str) -> bool:
        for offset, word in enumerate(words):
            j = self.i + offset
            if j >= len(self.tokens):
                return False
            token = self.tokens[j]
            if token.token_type in (TokenType.STRING, TokenType.IDENTIFIER) or token.text.upper() != word:
                return False
        return True

    def accept(self, *words: str) -> bool:
        if self.peek(*words):
            self.i += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise self.error()

    def accept_punct(self, kind: TokenType) -> bool:
        token = self._at()
        if token is not None and token.token_type == kind:
            self.i += 1
            return True
        return False

    def ident(self) -> str:
        token = self._at()
        if token is None or token.token_type in _PUNCT:
            raise self.error()
        self.i += 1
        return token.text.lower()

    def dotted(self, parts: int) -> list[str]:
        """A name of up to `parts` dot-separated identifiers."""
        names = [self.ident()]
        while len(names) < parts and self.accept_punct(TokenType.DOT):
            names.append(self.ident())
        return names

    def string(self) -> str:
        token = self._at()
        if token is None or token.token_type != TokenType.STRING:
            raise self.error()
        self.i += 1
        return token.text

    def boolean(self) -> bool:
        self.accept_punct(TokenType.EQ)
        if self.accept("TRUE"):
            return True
        if self.accept("FALSE"):
            return False
        raise self.error()

    def comma_list(self, item: Callable[[], T]) -> list[T]:
        out = [item()]
        while self.accept_punct(TokenType.COMMA):
            out.append(item())
        return out

    def end(self) -> None:
        self.accept_punct(TokenType.SEMICOLON)
        if self._at() is not None:
            raise self.error()
