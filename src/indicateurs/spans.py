"""Source positions: every node of a plan and every diagnostic points back into the text."""

from __future__ import annotations

import attrs


@attrs.frozen
class Span:
    """A region of a plan file, 1-based lines and columns, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int, width: int = 1) -> Span:
        """A span of `width` characters on one line."""
        return cls(file, line, column, line, column + max(width, 1))

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


UNKNOWN_SPAN = Span("<inconnu>", 0, 0, 0, 0)
