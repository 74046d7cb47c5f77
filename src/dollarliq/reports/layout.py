"""Tables that fit the console's width without losing a character.

:class:`FitTable` is a Rich renderable that decides at print time, from the width it is
given: a bordered table when every column can be as wide as its longest word (text wraps
between words, never inside one), else one block per row, the row's key in bold and every
other column as ``label: value`` below it, as many to a line as fit. Chinese text counts double width
(:func:`rich.cells.cell_len`) and may break between any two characters, as it is written.
Nothing is cut or replaced by "…" in either layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

#: A run of characters that may not be broken: no spaces, and no wide (CJK) characters,
#: which may break anywhere.
_RUN = re.compile(r"[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
                  r"\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+")


def min_width(text: str) -> int:
    """The narrowest column, in terminal cells, that shows ``text`` without breaking a word:
    the widest run of non-space, non-CJK characters (2 for a text of CJK characters)."""
    runs = [cell_len(m) for m in _RUN.findall(text)]
    wide = 2 if cell_len(text) > len(text) else 1 if text else 0
    return max(runs + [wide])


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


@dataclass
class Col:
    """A column: its header, justification, and whether its cells are kept on one line."""

    header: str
    justify: str = "left"
    no_wrap: bool = False


class FitTable:
    """Rows under headers, as a table when it fits the width, else as blocks.

    Parameters
    ----------
    columns : sequence of str or Col
        The headers (and how each column is justified).
    rows : iterable of sequences
        The cells (str or :class:`rich.text.Text`), one per column.
    title : str, optional
        Printed above, left-aligned, in bold.
    key : int
        The column that heads each block in the narrow layout (default the first).
    show_header : bool
        False for a table of ``label value`` pairs: then the narrow layout is the same
        pairs without borders.
    plain : bool
        No borders: columns two spaces apart, as a command's summary prints them.
    """

    def __init__(self, columns: Sequence[str | Col], rows: Iterable[Sequence[Any]], *,
                 title: str | None = None, key: int = 0, show_header: bool = True,
                 plain: bool = False) -> None:
        self.columns = [c if isinstance(c, Col) else Col(c) for c in columns]
        self.rows = [list(r) for r in rows]
        self.title = title
        self.key = key
        self.show_header = show_header
        self.plain = plain

    # -- widths
    def _widths(self, width: int) -> list[int] | None:
        """Column widths for a bordered table in ``width`` cells, or None when the longest
        words alone do not fit."""
        n = len(self.columns)
        overhead = 2 * (n - 1) if self.plain else 3 * n + 1
        cols = list(zip(*self.rows)) if self.rows else [()] * n
        lo, hi = [], []
        for c, cells in zip(self.columns, cols):
            texts = [_plain(x) for x in cells] + ([c.header] if self.show_header else [])
            longest = max((max(cell_len(line) for line in s.split("\n")) if s else 0)
                          for s in texts) if texts else 0
            hi.append(max(longest, 1))
            lo.append(hi[-1] if c.no_wrap else max([min_width(s) for s in texts] + [1]))
        if sum(lo) + overhead > width:
            return None
        if sum(hi) + overhead <= width:
            return hi
        # The room left goes first to the columns that need least to be whole (a status, a
        # date), then to the long texts, which wrap.
        spare = width - overhead - sum(lo)
        out = list(lo)
        for i in sorted(range(n), key=lambda i: hi[i] - lo[i]):
            give = min(hi[i] - out[i], spare)
            out[i] += give
            spare -= give
        return out

    def table(self, widths: list[int] | None = None) -> Table:
        """The bordered table (column widths fixed when given)."""
        t = Table(title=self.title, title_justify="left", title_style="bold",
                  show_header=self.show_header)
        if self.plain:
            t.box, t.pad_edge, t.show_edge = None, False, False
        for i, c in enumerate(self.columns):
            t.add_column(c.header, justify=c.justify,  # type: ignore[arg-type]
                         overflow="fold", no_wrap=c.no_wrap and widths is None,
                         width=widths[i] if widths else None)
        for r in self.rows:
            t.add_row(*r)
        return t

    def blocks(self, width: int) -> list[Any]:
        """The narrow layout: each row's key in bold, then its other non-empty cells as
        ``label: value`` pairs, as many to a line as fit, indented by two."""
        out: list[Any] = []
        if self.title:
            out.append(Text(self.title, style="bold"))
        room = max(width - 2, 10)
        for r in self.rows:
            head = r[self.key]
            out.append(head if isinstance(head, Text) else Text(str(head), style="bold"))
            lines: list[Text] = []
            line = Text()
            for i, (c, v) in enumerate(zip(self.columns, r)):
                if i == self.key or not _plain(v).strip():
                    continue  # an empty cell says nothing in a block
                seg = Text()
                if self.show_header and c.header:
                    seg.append(f"{c.header}: ", style="dim")
                seg.append_text(v if isinstance(v, Text) else Text(str(v)))
                if line.plain and cell_len(line.plain) + 2 + cell_len(seg.plain) > room:
                    lines.append(line)
                    line = Text()
                if line.plain:
                    line.append("; " if self.show_header else "  ")
                line.append_text(seg)
            if line.plain:
                lines.append(line)
            out += [Padding(x, (0, 0, 0, 2), expand=False) for x in lines]
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        widths = self._widths(width)
        if widths is not None:
            yield self.table(widths)
        else:
            yield from self.blocks(width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(20, options.max_width), options.max_width)


def bullets(items: Iterable[Any], *, mark: str = "•", indent: int = 2,
            style: str = "") -> Table:
    """A list whose long items wrap under their own first character, not at the margin."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=indent + cell_len(mark), justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for it in items:
        grid.add_row(mark, it if isinstance(it, Text) else Text(str(it), style=style))
    return grid
