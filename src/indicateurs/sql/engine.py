"""The push-down: a plan's aggregates computed by the database, verdicts by the shared code.

For every source, one statement classifies and converts each row in SQL (its type, its date,
its fields, whether it is used, ignored, or needs a closer look) into a temporary table. Then,
per period unit, one GROUP BY computes every slot at once (one CASE column per slot, grouped
by event type and period key), one windowed query keeps the first evidence rows of each slot
and period, and one GROUP BY counts the rows per outcome for the row accounting.

Rows SQL does not settle (a bad or unusual value: `31/02/2023`, `douze`, a type written
`Formation `) are fetched and run through the Python evaluator itself, so rejections carry
the very codes, row numbers and messages of the Python path, and the events it accepts are
added to the slots. Aggregates a dialect cannot compute exactly as Python does (ordering of
texts on an unknown engine) are computed by streaming their rows through Python as well.
Finally `evaluate._results` turns the slots into the `PlanResult`, as for files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
import sqlalchemy as sa

from .. import model as m
from ..compile import EVIDENCE_CAP, CompiledPlan, SlotKey
from ..convert import FALSE_WORDS, TRUE_WORDS, field_converter, is_blank
from ..evaluate import DataError, _results, _run
from ..events import Event, Rejection, RowProblem, SkippedRow
from ..keywords import fold
from ..periods import bucket_key
from ..results import PlanResult, SourceReport
from ..sources import Row
from . import fast
from .conditions import NotPushableError, compile_where
from .context import Context, UnionByName
from .dialects import Dialect, Expr
from .dialects import integer as _n
from .pushdown import IndicatorPlacement, Pushdown, SlotPlacement
from .slots import DistinctCount, KeyState, SlotState, merge, read_slot, seen_counts, set_seen, write_slot
from .values import Cell, ColumnClass, Converted, Values

# Aggregates the SQL engine leaves to the Python pass (their rows are streamed through it).
PYTHON_ONLY: dict[m.AggregateFn, str] = {
    m.AggregateFn.LAST: "dernier(…) : la dernière mesure est prise en Python",
    m.AggregateFn.UNITS: "part des unités : les événements par unité sont comptés en Python",
}

LOOKUP_CAP = 1000  # distinct raw values converted in Python per looked-up column
FETCH_BATCH = 5000

# Outcome of a row, as computed in SQL.
USED, IGNORED_MAPPING, UNUSED_TYPE, OUT_OF_PERIOD, AFTER_AS_OF, PYTHON = 0, 1, 2, 3, 4, 9
FLAGGED = 8  # a source's check flagged the row (fast classification: see SourceSpec.checks)
_IGNORED_CODES = {
    IGNORED_MAPPING: "ignore_par_correspondance",
    UNUSED_TYPE: "type_non_utilise",
    OUT_OF_PERIOD: "hors_periode",
    AFTER_AS_OF: "apres_date_evaluation",
}
# Type codes (column t): an index into the used types, or one of these.
T_IGNORED, T_UNUSED, T_PYTHON = -1, -2, -3

ROW_KEYS = ("type", "date", "id", "fin", "end")


class SlotField(NamedTuple):
    """Where a slot reads a field: its value column, its kind, and, for an enumeration held as
    codes, the values in code order (code i is values[i]; sorted, so codes order as texts)."""

    column: str
    kind: m.FieldKind
    codes: tuple[str, ...] | None = None


SlotFields = dict[tuple[str, str], SlotField]


@attrs.define
class SourceSpec:
    """One source as the engine reads it.

    `base` has an integer column `r` (the row number reported in rejections and evidence)
    and one column per entry of `columns`: (column name in `base`, record key, class).
    `text_cells`: a NULL stands for an empty cell (CSV), so Python sees `''`.
    """

    name: str
    base: sa.FromClause
    columns: list[tuple[str, str, ColumnClass]]
    text_cells: bool = False
    notes: list[str] = attrs.field(factory=list)
    # DuckDB files read in the same statement that classifies them: `base` has no `r`; the
    # classified rows go to a (committed) table whose rowid + `rowid_offset` is the row number.
    rowid_offset: int | None = None
    # Lookups from the plan's own spellings (and their capitalisations) instead of a query for
    # the distinct values; anything else is left to Python, still exact, only slower.
    static_lookups: bool = False
    # Per-row flags computed from `base` (e.g. blank rows): kept in the classified table, or,
    # by the fast classification, tested on the rows no lookup settles only (outcome FLAGGED).
    checks: dict[str, Expr] = attrs.field(factory=dict)
    # Called, before any figure is used, with the number of rows read and the number of rows
    # some check flagged (may raise to give up on SQL).
    verify: Callable[[int, int], None] | None = None
    # Called just before the statement that reads `base` runs (a file read in that statement).
    on_read: Callable[[], None] | None = None

    def column(self, key: str) -> tuple[Expr, ColumnClass] | None:
        for name, k, cls in self.columns:
            if k == key:
                return self.base.c[name], cls
        return None


# ---------------------------------------------------------------------------- placement


def _describe(key: SlotKey) -> str:
    target = key.event_type + (f".{key.field}" if key.field else "")
    where = " où …" if key.where is not None else ""
    unit = {
        m.PeriodUnit.YEAR: " par an",
        m.PeriodUnit.SEMESTER: " par semestre",
        m.PeriodUnit.QUARTER: " par trimestre",
        m.PeriodUnit.MONTH: " par mois",
        m.PeriodUnit.WHOLE: "",
    }[key.unit]
    deadline = f" avant le {key.deadline.strftime('%d/%m/%Y')}" if key.deadline else ""
    return f"{key.fn.value}({target}{where}){unit}{deadline}"


def _placements(
    compiled: CompiledPlan, python_slots: dict[SlotKey, str], everything: str | None
) -> tuple[IndicatorPlacement, ...]:
    out = []
    for ci in compiled.indicators:
        aggregates = []
        for slot in ci.slots:
            reason = everything or python_slots.get(slot.key)
            aggregates.append(SlotPlacement(_describe(slot.key), "python" if reason else "sql", reason))
        engines = {a.engine for a in aggregates}
        engine = "aucun" if not engines else engines.pop() if len(engines) == 1 else "mixte"
        out.append(IndicatorPlacement(ci.indicator.id, engine, tuple(aggregates)))
    return tuple(out)


# ---------------------------------------------------------------------------- the run


def run(
    conn: sa.Connection,
    plan: m.Plan,
    sources: Sequence[SourceSpec],
    *,
    window: m.PlanPeriod,
    as_of: dt.date,
    mapping: Any = None,
    strict: bool = False,
    force_python: Sequence[str] = (),
    keep_sql: bool = False,
    drop_tables: bool = True,
    private: bool = False,
) -> tuple[PlanResult, Pushdown]:
    """Evaluate `plan` on `sources` through `conn`; the result and where each part ran.

    `force_python`: indicator ids whose aggregates are computed by streaming their rows
    through the Python evaluator (used to check the streaming path; never needed otherwise).
    `keep_sql`: keep the text of every statement in `Pushdown.queries`.
    `drop_tables`: drop the tables created (not needed when the database is thrown away).
    `private`: no one else uses the database (DuckDB in memory): statements may overlap.
    """
    ctx = Context(conn, Dialect(conn.dialect.name), keep_sql=keep_sql, private=private)
    try:
        return _run_sql(ctx, plan, sources, window, as_of, mapping, strict, force_python)
    except BaseException:
        ctx.interrupt()  # an error or Ctrl-C: statements still running are stopped
        raise
    finally:
        ctx.settle()  # none outlives the run
        for name in reversed(ctx.created if drop_tables else []):
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.text(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)}")
                    )
            except sa.exc.SQLAlchemyError:  # pragma: no cover - the transaction is rolled back anyway
                pass


def _run_sql(
    ctx: Context,
    plan: m.Plan,
    sources: Sequence[SourceSpec],
    window: m.PlanPeriod,
    as_of: dt.date,
    mapping: Any,
    strict: bool,
    force_python: Sequence[str],
) -> tuple[PlanResult, Pushdown]:
    compiled = CompiledPlan(plan, window)
    used = [name for name in _used_types(compiled)]
    type_index = {name: i for i, name in enumerate(used)}

    everything = _not_pushable(mapping)
    python_slots: dict[SlotKey, str] = {}
    forced = set(force_python)
    for ci in compiled.indicators:
        for slot in ci.slots:
            if ci.indicator.id in forced:
                python_slots[slot.key] = "demandé"
            elif slot.key.fn in PYTHON_ONLY:
                python_slots[slot.key] = PYTHON_ONLY[slot.key.fn]
            elif any(f.duration is not None for f in plan.event_types[slot.key.event_type].fields):
                python_slots[slot.key] = "durée entre deux dates : calculée en Python"
            elif slot.key.where is not None:
                try:
                    compile_where(
                        slot.key.where,
                        plan.event_types[slot.key.event_type],
                        lambda name: (sa.column(name), m.FieldKind.INTEGER),
                        ctx.dialect,
                    )
                except NotPushableError as exc:
                    python_slots[slot.key] = str(exc)
    # `force_python` asks for streaming; everything else that shares the slot follows it.
    python_types = {key.event_type for key in python_slots}

    builder = _RowBuilder(
        ctx, plan, used, type_index, window, as_of, mapping, everything is not None, list(compiled.slots)
    )
    quick = [fast.applies(builder, src) for src in sources]  # the fast classification, per source
    if all(quick):
        builder.hold_codes(list(compiled.slots))
    tables = [builder.classify(i, src, python_types) for i, src in enumerate(sources)]
    value_columns = [builder.field_columns[d] for d in builder.field_columns if d in builder.referenced]
    # the check columns of each table (the fast classification turns checks into FLAGGED)
    checks = [[] if q else list(src.checks) for q, src in zip(quick, sources, strict=True)]
    rows = _union(tables, value_columns, checks)

    # Row accounting of what SQL settled, the events used per type, the rows checks flagged
    # (DuckDB: in the statement that computes the aggregates).
    accounting = sa.select(
        rows.c.s, rows.c.cat, rows.c.t, sa.func.count().label("n"), sa.func.sum(rows.c.flagged).label("odd")
    ).group_by(rows.c.s, rows.c.cat, rows.c.t)
    slot_fields = builder.slot_fields
    states: dict[SlotKey, SlotState] = {key: {} for key in compiled.slots}
    pushed = [key for key in compiled.slots if key not in python_slots]
    units = list(dict.fromkeys(key.unit for key in pushed))
    groups = [(unit, [key for key in pushed if key.unit is unit]) for unit in units]
    duckdb = everything is None and ctx.dialect.name == "duckdb"
    if duckdb:
        # Built and compiled while the classification may still run in the background; the
        # evidence in the first rows is searched beside the aggregates (it needs no figure).
        aggregates = _DuckAggregates(ctx, rows, groups, type_index, slot_fields, plan, accounting)
        first = (
            _union([builder.first_rows(tables[0], PREFIX_ROWS)], value_columns, checks)
            if len(sources) == 1
            else None
        )

        def match(on: sa.Subquery, key: SlotKey) -> Expr | None:
            return _condition(on, ctx.dialect, key, slot_fields, plan)[0]

        top = _TopEvidence(sources, any(src.column("id") is not None for src in sources), match, first)
        prepared = ctx.prepare(aggregates.statement)
        early = top.start(ctx, aggregates.units)
        counted = aggregates.read(ctx.run(prepared), states)
    else:
        counted = [tuple(row) for row in ctx.execute(accounting).all()]
    settled: dict[tuple[int, int], int] = {}
    seen: dict[str, int] = {}
    flagged = [0] * len(sources)
    for s, cat, t, n, odd in counted:
        settled[(int(s), int(cat))] = settled.get((int(s), int(cat)), 0) + int(n)
        flagged[int(s)] += int(odd or 0) + (int(n) if int(cat) == FLAGGED else 0)
        if int(cat) == USED and int(t) >= 0 and everything is None:
            seen[used[int(t)]] = seen.get(used[int(t)], 0) + int(n)
    for i, src in enumerate(sources):
        if src.verify is not None:
            src.verify(sum(n for (s, _), n in settled.items() if s == i), flagged[i])

    if duckdb:
        # The first evidence rows of each slot: top-N aggregates (no sort), in the first rows
        # of a single file first.
        top.collect(ctx, rows, aggregates.units, states, early)
    elif everything is None:
        for unit, keys in groups:
            _aggregate(ctx, rows, unit, keys, type_index, slot_fields, plan, states)
            _evidence(ctx, rows, unit, keys, type_index, slot_fields, plan, states, used, sources)

    # Rows SQL did not settle: the Python evaluator decides, with its own code.
    source_index = {src.name: i for i, src in enumerate(sources)}
    fallback = CompiledPlan(plan, window)
    py_sources = [
        _FetchedSource(ctx, src, table, (PYTHON,), None, mapping, settled.get((i, PYTHON), 0) > 0)
        for i, (src, table) in enumerate(zip(sources, tables, strict=True))
    ]
    reports, rejections = _run(fallback, py_sources, window, as_of, None)
    checked = sum(r.read for r in reports)
    fallback_seen = seen_counts(fallback)

    streamed = 0
    if python_slots and everything is None:
        stream = CompiledPlan(plan, window)
        wanted = [type_index[t] for t in python_types if t in type_index]
        # Every row of those types, used or unsettled, in reading order (and the rows whose
        # type SQL left to Python): the streamed slots see exactly what the Python pass sees,
        # so order-dependent aggregates (dernier) need no merging.
        stream_sources = [
            _FetchedSource(ctx, src, table, (USED, PYTHON), [*wanted, T_PYTHON], mapping)
            for src, table in zip(sources, tables, strict=True)
        ]
        stream_reports, _ = _run(stream, stream_sources, window, as_of, None)
        streamed = sum(r.read for r in stream_reports)
        for key in python_slots:
            states[key] = read_slot(stream.slots[key], source_index)

    # Merge what Python found in the rows it checked.
    for key in compiled.slots:
        if key in python_slots and everything is None:
            continue  # streamed with the unsettled rows already
        extra = read_slot(fallback.slots[key], source_index)
        if key.fn is m.AggregateFn.DISTINCT and key not in python_slots and everything is None:
            _merge_distinct(ctx, rows, key, states[key], extra, type_index, slot_fields, plan)
        merge(key.fn, states[key], extra)
    for key, slot in compiled.slots.items():
        write_slot(slot, states[key], EVIDENCE_CAP)
    totals = {name: seen.get(name, 0) + fallback_seen.get(name, 0) for name in used}
    set_seen(compiled, totals)

    final_reports = []
    for i, (src, report) in enumerate(zip(sources, reports, strict=True)):
        counts = {cat: n for (s, cat), n in settled.items() if s == i and cat != PYTHON}
        ignored = dict(report.ignored_reasons)
        for cat, code in _IGNORED_CODES.items():
            if counts.get(cat):
                ignored[code] = ignored.get(code, 0) + counts[cat]
        read = report.read + sum(counts.values())
        used_rows = report.used + counts.get(USED, 0)
        final_reports.append(
            SourceReport(
                src.name,
                read,
                used_rows,
                sum(ignored.values()),
                report.rejected,
                tuple(sorted(ignored.items())),
            )
        )
    if strict and rejections:
        raise DataError(rejections)
    result = _results(compiled, window, as_of, final_reports, rejections)
    pushdown = Pushdown(
        ctx.dialect.name,
        _placements(compiled, python_slots, everything),
        tuple(ctx.queries),
        checked,
        streamed,
        everything,
    )
    return result, pushdown


def _used_types(compiled: CompiledPlan) -> list[str]:
    names = dict.fromkeys(key.event_type for key in compiled.slots)
    return list(names)


def _not_pushable(mapping: Any) -> str | None:
    """Why no row can be settled in SQL with this mapping (then Python reads every row)."""
    if mapping is None:
        return None
    if getattr(mapping, "date_format", None):
        return "la correspondance impose un format de date (format_date)"
    values = getattr(mapping, "values", {}) or {}
    for key in ("date", "fin", "end"):
        if key in values:
            return f"la correspondance traduit les valeurs de « {key} »"
    for key, table in values.items():
        # SQL holds a blank cell as missing, where the reader hands the translation over
        if any(not str(spelling).strip() for spelling in table):
            return f"la correspondance traduit les cellules vides de « {key} »"
    return None


# ---------------------------------------------------------------------------- row classification


def referenced_fields(plan: m.Plan, slot_keys: Sequence[SlotKey]) -> set[m.FieldDecl]:
    """The fields some slot reads: its field, or a name in its condition."""
    referenced: set[m.FieldDecl] = set()
    for key in slot_keys:
        event_type = plan.event_types[key.event_type]
        names = {key.field} if key.field else set()
        if key.where is not None:
            names |= {n.name for n in m.walk(key.where) if isinstance(n, m.Name | m.BoolField)}
        for name in names:
            found = event_type.field(name) if name else None
            if found is not None:
                referenced.add(found)
    return referenced


def coded_fields(plan: m.Plan, slot_keys: Sequence[SlotKey]) -> set[m.FieldDecl]:
    """The enumerations that slots read only in conditions, each time as one side of `=` or
    `≠` whose other side is a constant, or as the value of `dans` / `pas dans`."""
    fit: set[m.FieldDecl] = set()
    unfit: set[m.FieldDecl] = set()
    for key in slot_keys:
        event_type = plan.event_types[key.event_type]
        if key.field is not None and (decl := event_type.field(key.field)) is not None:
            unfit.add(decl)
        if key.where is None:
            continue
        allowed = _compared_to_constants(key.where, event_type)
        for node in m.walk(key.where):
            if isinstance(node, m.Name | m.BoolField):
                decl = event_type.field(node.name)
                if decl is not None and decl.kind is m.FieldKind.ENUM:
                    (fit if id(node) in allowed else unfit).add(decl)
    return fit - unfit


def _compared_to_constants(where: m.Expr, event_type: m.EventType) -> set[int]:
    """The field nodes of `where` (by identity) that are one side of `=` / `≠` with a constant
    on the other, or the value of `dans` / `pas dans`."""

    def is_field(node: m.Expr) -> bool:
        return isinstance(node, m.Name) and event_type.field(node.name) is not None

    allowed: set[int] = set()
    for node in m.walk(where):
        if isinstance(node, m.Compare) and node.op in (m.Comparator.EQ, m.Comparator.NE):
            if is_field(node.left) and not is_field(node.right):
                allowed.add(id(node.left))
            elif is_field(node.right) and not is_field(node.left):
                allowed.add(id(node.right))
        elif isinstance(node, m.InList) and is_field(node.value):
            allowed.add(id(node.value))
    return allowed


def unread_keys(plan: m.Plan, window: m.PlanPeriod) -> set[str]:
    """Columns nothing needs to read: optional text fields no slot reads (any text, or none,
    is valid there, and no figure depends on it)."""
    referenced = referenced_fields(plan, list(CompiledPlan(plan, window).slots))
    free: set[str] = set()
    needed: set[str] = set(ROW_KEYS)
    for event_type in plan.event_types.values():
        for decl in event_type.fields:
            if decl.kind is m.FieldKind.TEXT and decl.optional and decl not in referenced:
                free.add(decl.name)
            else:
                needed.add(decl.name)
    return free - needed


class _RowBuilder:
    """Builds, per source, the statement that classifies and converts every row."""

    def __init__(
        self,
        ctx: Context,
        plan: m.Plan,
        used: list[str],
        type_index: dict[str, int],
        window: m.PlanPeriod,
        as_of: dt.date,
        mapping: Any,
        all_python: bool,
        slot_keys: Sequence[SlotKey] = (),
    ):
        self.ctx = ctx
        self.plan = plan
        self.used = used
        self.type_index = type_index
        self.window = window
        self.as_of = as_of
        self.mapping = mapping
        self.all_python = all_python
        self.values = Values(ctx.dialect)
        # Classified tables numbered by their rowid: name of the numbering SELECT -> (table,
        # rowid offset, the columns it derives).
        self.numbered_tables: dict[
            str, tuple[sa.TableClause, int, Callable[[sa.TableClause], list[Any]] | None]
        ] = {}
        # One value column per distinct field declaration of the used types.
        self.field_columns: dict[m.FieldDecl, str] = {}
        for name in used:
            for decl in plan.event_types[name].fields:
                self.field_columns.setdefault(decl, f"v{len(self.field_columns)}")
        # Fields some slot reads (its field, or a name in its condition): their values are kept.
        self.referenced = referenced_fields(plan, slot_keys)
        # Enumerations read only in conditions by equality or membership, held as codes by the
        # fast classification (set by `hold_codes`: an integer is cheaper to write and compare).
        self.codes: dict[m.FieldDecl, tuple[str, ...]] = {}
        self.slot_fields: SlotFields = self._slot_fields()

    def _slot_fields(self) -> SlotFields:
        return {
            (name, decl.name): SlotField(self.field_columns[decl], decl.kind, self.codes.get(decl))
            for name in self.used
            for decl in self.plan.event_types[name].fields
        }

    def hold_codes(self, slot_keys: Sequence[SlotKey]) -> None:
        """Hold as codes the enumerations that only conditions read, by `=`, `≠`, `dans` or
        `pas dans` a list of constants (not a slot's field, not an ordering, not compared
        with another field): a condition then compares codes (conditions.compile_where)."""
        self.codes = {decl: tuple(sorted(decl.values)) for decl in coded_fields(self.plan, slot_keys)}
        self.slot_fields = self._slot_fields()

    # -- lookups: distinct raw values converted by the Python code itself

    def _distinct(self, src: SourceSpec, key: str) -> list[Any]:
        found = src.column(key)
        if found is None:
            return []
        if src.static_lookups:
            return static_candidates(self.plan, key)
        column, _ = found
        stmt = (
            sa.select(column, sa.func.count().label("n"))
            .where(column.is_not(None))
            .group_by(column)
            .order_by(sa.desc("n"))
            .limit(LOOKUP_CAP)
        )
        return [row[0] for row in self.ctx.execute(stmt).all()]

    def _translate(self, key: str, raw: Any) -> Any:
        """A raw value as the reader hands it to the evaluator (mapping translations applied)."""
        mapping = self.mapping
        if mapping is None:
            return raw
        from ..sources.columns import finisher

        finish = finisher([key], mapping)
        if finish is None:
            return raw
        out = finish({key: raw})
        if isinstance(out, SkippedRow):
            return out
        if isinstance(out, RowProblem):
            return out
        return out.get(key)

    def type_table(self, src: SourceSpec) -> list[tuple[Any, int]]:
        plan = self.plan
        folded = {fold(name).replace(" ", "_"): name for name in plan.event_types}
        table: list[tuple[Any, int]] = []
        for raw in self._distinct(src, "type"):  # never NULL
            value = self._translate("type", raw)
            if isinstance(value, SkippedRow):
                table.append((raw, T_IGNORED))
                continue
            if isinstance(value, RowProblem) or is_blank(value):
                continue
            try:
                canonical = (
                    value if value in plan.event_types else folded.get(fold(str(value)).replace(" ", "_"))
                )
            except TypeError:
                continue
            if canonical is None:
                continue  # unknown: Python writes the rejection and its suggestion
            table.append((raw, self.type_index.get(canonical, T_UNUSED)))
        return table

    def lookup_table(self, src: SourceSpec, decl: m.FieldDecl) -> list[tuple[Any, Any]]:
        convert = field_converter(decl)
        table: list[tuple[Any, Any]] = []
        for raw in self._distinct(src, decl.name):
            value = self._translate(decl.name, raw)
            if isinstance(value, SkippedRow | RowProblem) or is_blank(value):
                continue
            try:
                converted = convert(value)
            except (ValueError, TypeError):
                continue
            table.append((raw, _sql_value(converted)))
        return table

    def _needs_lookup(self, decl: m.FieldDecl) -> bool:
        if decl.kind in (m.FieldKind.ENUM, m.FieldKind.BOOLEAN):
            return True
        values = getattr(self.mapping, "values", None) or {}
        return decl.name in values

    # -- the statement

    def classify(self, index: int, src: SourceSpec, python_types: set[str]) -> sa.FromClause:
        """The classified rows of one source, as a table (`store`). Four nested SELECTs, so
        that each costly expression (trimming, digit shapes, CASEs) is computed once per row:
        A trims and shapes the inputs, B reads types, dates and fields, C checks dates and
        fields, D decides each row's outcome. DuckDB text cells take the fast path (fast.py)."""
        if fast.applies(self, src):
            return fast.classify(self, index, src, python_types)
        values = self.values
        base = src.base
        null = sa.null()
        one, zero = _n(1), _n(0)
        end_key = "fin" if src.column("fin") is not None else "end"

        # which keys need text and shape
        date_keys = ["date", end_key] + [
            d.name for d in self.field_columns if d.kind is m.FieldKind.DATE and not self._needs_lookup(d)
        ]
        shaped = set(date_keys) | {
            d.name
            for d in self.field_columns
            if d.kind in (m.FieldKind.INTEGER, m.FieldKind.DECIMAL) and not self._needs_lookup(d)
        }
        skipped = {
            d
            for d in self.field_columns
            if d.kind is m.FieldKind.TEXT and d.optional and d not in self.referenced
        }
        texted = shaped | {d.name for d in self.field_columns if d not in skipped} | {end_key}
        present = {k for _, k, _ in src.columns}

        # -- A: raw columns, trimmed texts, shapes, blanks
        numbered = src.rowid_offset is None
        carry = (["r"] if numbered else []) + list(src.checks)
        a_cols: list[Any] = [
            *([base.c.r.label("r")] if numbered else []),
            *[e.label(n) for n, e in src.checks.items()],
        ]
        a_cols += [base.c[col].label(col) for col, _, _ in src.columns]
        column_of = {k: (col, cls) for col, k, cls in reversed(src.columns)}
        for key in sorted(texted & present):  # the trimmed texts, computed once
            col, cls = column_of[key]
            text, _ = values.as_text(base.c[col], cls, date=key in date_keys)
            if text is not None:
                a_cols.append(text.label(f"x_{col}"))
        texts = self._fence(sa.select(*a_cols)).subquery("a_texte")
        t_cols: list[Any] = list(texts.c)
        for key in sorted(texted & present):  # blanks and digit shapes, from those texts
            col, cls = column_of[key]
            raw = texts.c[col]
            text_col = texts.c.get(f"x_{col}")
            t_cols.append(sa.case((values.blank_of(raw, text_col, cls), one), else_=zero).label(f"b_{col}"))
            if text_col is not None and key in shaped:
                t_cols.append(values.shape(raw, text_col, cls).label(f"h_{col}"))
        first = self._fence(sa.select(*t_cols)).subquery("a0")

        def cell_of(stage: sa.Subquery, key: str) -> Cell | None:
            if key not in present:
                return None
            col, cls = column_of[key]
            text = stage.c.get(f"x_{col}")
            shape = stage.c.get(f"h_{col}")
            blank = stage.c[f"b_{col}"] == one if f"b_{col}" in stage.c else stage.c[col].is_(None)
            return Cell(stage.c[col], cls, text, shape, blank)

        # -- A': the layout of each date text (an index into the known layouts)
        layouts: list[Any] = []
        for key in dict.fromkeys(date_keys):
            c = cell_of(first, key)
            layout = values.date_layout(c) if c is not None else None
            if layout is not None:
                layouts.append(layout.label(f"l_{column_of[key][0]}"))
        stage_a = self._fence(sa.select(*first.c, *layouts)).subquery("a")

        def cell(key: str) -> Cell | None:
            return cell_of(stage_a, key)

        # -- B: type, date candidates, field values
        type_cell = cell("type")
        table = self.type_table(src) if type_cell is not None and not self.all_python else []
        if table and type_cell is not None:
            t: Expr = sa.case(
                *[(type_cell.raw == sa.literal(v), _n(code)) for v, code in table],
                else_=_n(T_PYTHON),
            )
        else:
            t = _n(T_PYTHON)
        b_cols: list[Any] = [*[stage_a.c[n] for n in carry], t.label("t")] + [
            stage_a.c[col] for col, _, _ in src.columns
        ]
        for n, key in enumerate(dict.fromkeys(date_keys)):
            c = cell(key)
            y: Expr
            mo: Expr
            d: Expr
            if c is None:
                y, mo, d = sa.null(), sa.null(), sa.null()
                date_blank: Expr = sa.true()
            else:
                layout_name = f"l_{column_of[key][0]}"
                layout = stage_a.c.get(layout_name)
                y, mo, d = values.date_candidates(c, layout)
                date_blank = c.blank
            b_cols += [
                sa.cast(y, sa.Integer).label(f"dy{n}"),
                sa.cast(mo, sa.Integer).label(f"dm{n}"),
                sa.cast(d, sa.Integer).label(f"dd{n}"),
                sa.case((date_blank, one), else_=zero).label(f"db{n}"),
            ]
        date_slot = {key: n for n, key in enumerate(dict.fromkeys(date_keys))}
        for decl, name in self.field_columns.items():
            c = cell(decl.name)
            if decl.kind is m.FieldKind.DATE and not self._needs_lookup(decl):
                continue
            if c is None or decl in skipped:
                conv = Converted(null, sa.true())
            elif decl.kind is m.FieldKind.TEXT and decl not in self.referenced:
                # nothing can go wrong with a text but its absence, and nothing reads it
                conv = Converted(sa.case((c.blank, null), else_=one), c.blank)
            else:
                conv = self._convert(src, decl, c)
            b_cols += [conv.value.label(name), sa.case((conv.blank, one), else_=zero).label(f"{name}_b")]
        ident = cell("id")
        rid = self.ctx.dialect.text(ident.raw) if ident is not None else sa.cast(null, sa.Text)
        b_cols.append(rid.label("rid"))
        stage_b = self._fence(sa.select(*b_cols)).subquery("b")

        # -- C: dates checked, fields ok
        c_cols: list[Any] = [*[stage_b.c[n] for n in carry], stage_b.c.t, stage_b.c.rid] + [
            stage_b.c[col] for col, _, _ in src.columns
        ]
        checked: dict[str, tuple[Expr, Expr, Expr]] = {}
        for key, n in date_slot.items():
            checked[key] = values.date_checked(stage_b.c[f"dy{n}"], stage_b.c[f"dm{n}"], stage_b.c[f"dd{n}"])
        cy, cm, cd = checked["date"]
        c_cols += [cy.label("y"), cm.label("m"), cd.label("d")]
        oks: dict[m.FieldDecl, Expr] = {}
        for decl, name in self.field_columns.items():
            missing_ok = one if decl.optional else zero
            if decl.kind is m.FieldKind.DATE and not self._needs_lookup(decl):
                n = date_slot[decl.name]
                dy, dm, dd = checked[decl.name]
                value = sql_ymd(dy, dm, dd)
                blank = stage_b.c[f"db{n}"] == one
            else:
                value, blank = stage_b.c[name], stage_b.c[f"{name}_b"] == one
            kept = value if decl in self.referenced else null
            c_cols.append(sa.cast(sa.case((blank, null), else_=kept), self._sql_type(decl)).label(name))
            oks[decl] = sa.case((blank, missing_ok), (value.is_not(None), one), else_=zero)
        end_n = date_slot[end_key]
        end_ok = sa.or_(stage_b.c[f"db{end_n}"] == one, checked[end_key][0].is_not(None))
        ok_cases = []
        for type_name in self.used:
            decls = self.plan.event_types[type_name].fields
            all_ok = sa.and_(end_ok, *[oks[decl] == one for decl in decls])
            if any(decl.duration is not None for decl in decls):
                all_ok = sa.false()  # a duration between two dates: Python reads these rows
            ok_cases.append(
                (stage_b.c.t == _n(self.type_index[type_name]), sa.case((all_ok, one), else_=zero))
            )
        ok = sa.case(*ok_cases, else_=zero) if ok_cases else zero
        c_cols.append(ok.label("ok"))
        inner = self._fence(sa.select(*c_cols)).subquery("c")

        # -- D: the outcome of each row
        ymd = sql_ymd(inner.c.y, inner.c.m, inner.c.d)
        start = _ymd(self.window.start)
        end = _ymd(min(self.window.end, self.as_of))
        if self.all_python:
            cat: Expr = _n(PYTHON)
        else:
            cat = sa.case(
                (inner.c.t == _n(T_IGNORED), _n(IGNORED_MAPPING)),
                (inner.c.t == _n(T_UNUSED), _n(UNUSED_TYPE)),
                (sa.or_(inner.c.t < zero, inner.c.y.is_(None)), _n(PYTHON)),
                (
                    sa.or_(ymd < _n(start), ymd > _n(end)),
                    sa.case(
                        (
                            sa.and_(
                                ymd > _n(_ymd(self.as_of)),
                                ymd <= _n(_ymd(self.window.end)),
                            ),
                            _n(AFTER_AS_OF),
                        ),
                        else_=_n(OUT_OF_PERIOD),
                    ),
                ),
                (inner.c.ok == one, _n(USED)),
                else_=_n(PYTHON),
            )
        keep_raw = cat == _n(PYTHON)
        wanted = [self.type_index[t] for t in python_types if t in self.type_index]
        if wanted:
            keep_raw = sa.or_(keep_raw, inner.c.t.in_([_n(w) for w in wanted]))
        outer = sa.select(
            _n(index).label("s"),
            *[inner.c[n] for n in carry],
            inner.c.t,
            inner.c.y,
            inner.c.m,
            inner.c.d,
            cat.label("cat"),
            inner.c.rid,
            *[inner.c[name] for name in self.field_columns.values()],
            *[sa.case((keep_raw, inner.c[col]), else_=null).label(f"raw_{col}") for col, _, _ in src.columns],
        )
        return self.store(outer, src)

    def store(
        self,
        outer: sa.Select[Any],
        src: SourceSpec,
        derived: Callable[[sa.TableClause], list[Any]] | None = None,
    ) -> sa.FromClause:
        """The classified rows as a table; a file read in the same statement is numbered by
        the table's rowid (DuckDB keeps the reading order), and `derived` gives the columns
        the SELECT over it computes from the stored ones (fewer columns to write)."""
        if src.on_read is not None:
            src.on_read()
        if src.rowid_offset is None:
            return self.ctx.create_temp("lignes", outer)
        # Committed: rows of an uncommitted table have provisional rowids. In the background
        # on a private database (the statements that follow are built meanwhile).
        created = self.ctx.create_temp("lignes", outer, temporary=False, background=True, commit=True)
        # The statements that follow read it through a SELECT that adds the row numbers.
        name = self.ctx.temp_name("numerotees")
        self.numbered_tables[name] = (created, int(src.rowid_offset), derived)
        return self._numbered(created, int(src.rowid_offset), derived).subquery(name)

    def _numbered(
        self,
        created: sa.TableClause,
        offset: int,
        derived: Callable[[sa.TableClause], list[Any]] | None,
    ) -> sa.Select[Any]:
        rowid = sa.literal_column("rowid", sa.BigInteger)
        extra = derived(created) if derived is not None else []
        return sa.select((rowid + _n(offset, sa.BigInteger)).label("r"), *extra, *created.c).select_from(
            created
        )

    def first_rows(self, table: sa.FromClause, count: int) -> sa.FromClause:
        """The rows of a classified table numbered up to `count`. A table numbered by its
        rowid is cut by a rowid range, which DuckDB reads from its first row groups only (a
        test on `r`, an expression of the rowid, would read every row)."""
        found = self.numbered_tables.get(getattr(table, "name", ""))
        if found is None:
            return sa.select(table).where(table.c.r <= _n(count, sa.BigInteger)).subquery("debut")
        created, offset, derived = found
        rowid = sa.literal_column("rowid", sa.BigInteger)
        return (
            self._numbered(created, offset, derived)
            .where(rowid <= _n(count - offset, sa.BigInteger))
            .subquery("debut")
        )

    def _sql_type(self, decl: m.FieldDecl) -> sa.types.TypeEngine[Any]:
        """How a field's values are held: texts, integers (booleans 1/0, dates yyyymmdd,
        enumerations held as codes), doubles."""
        if decl in self.codes:
            return sa.SmallInteger()
        if decl.kind in (m.FieldKind.TEXT, m.FieldKind.ENUM):
            return sa.Text()
        if decl.kind is m.FieldKind.DECIMAL:
            return self.ctx.dialect.double()
        return sa.BigInteger()

    def _fence(self, select: sa.Select[Any]) -> sa.Select[Any]:
        """Keep a stage a stage: the engines would otherwise inline each inner SELECT into the
        next one, copying its expressions at every use (an exponential blow-up over the stages
        on PostgreSQL and SQLite; on DuckDB, texts trimmed several times over)."""
        return select.offset(sa.literal_column("0", sa.Integer))

    def _convert(self, src: SourceSpec, decl: m.FieldDecl, c: Cell) -> Converted:
        values = self.values
        if self._needs_lookup(decl):
            return values.lookup(c, self.lookup_table(src, decl))
        if decl.kind is m.FieldKind.TEXT:
            return values.text(c)
        if decl.kind is m.FieldKind.INTEGER:
            return values.integer(c)
        if decl.kind is m.FieldKind.DECIMAL:
            return values.decimal(c)
        return Converted(sa.null(), c.blank)


def static_candidates(plan: m.Plan, key: str) -> list[Any]:
    """The spellings a lookup is built from without asking the data: the plan's own names and
    values, the yes/no words, each also Capitalised and in CAPITALS."""
    words: list[str] = []
    if key == "type":
        words = list(plan.event_types)
    else:
        for event_type in plan.event_types.values():
            decl = event_type.field(key)
            if decl is None:
                continue
            if decl.kind is m.FieldKind.ENUM:
                words += list(decl.values)
            elif decl.kind is m.FieldKind.BOOLEAN:
                words += sorted(w for w in TRUE_WORDS | FALSE_WORDS if w)
    out: dict[str, None] = dict.fromkeys(words)  # the spellings of the plan first: most rows match early
    for word in words:
        out.update(dict.fromkeys((word.capitalize(), word.upper())))
    return list(out)


def _sql_value(value: Any) -> Any:
    """A converted Python value as the SQL rows hold it."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, dt.date):
        return _ymd(value)
    return value


def _ymd(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def sql_ymd(y: Expr, mo: Expr, d: Expr) -> Expr:
    """A date's parts as the integer yyyymmdd, in SQL (as `_ymd` in Python)."""
    return y * _n(10000) + mo * _n(100) + d


def _union(
    tables: Sequence[sa.FromClause], value_columns: Sequence[str], checks: Sequence[Sequence[str]]
) -> sa.Subquery:
    """The classified rows of every source, with the value columns some slot reads, and the
    number of checks (SourceSpec.checks) that flagged each row."""
    names = ["s", "r", "t", "y", "m", "d", "cat", "rid", *value_columns]
    selects = []
    for table, flags in zip(tables, checks, strict=True):
        flagged: Expr = _n(0)
        for flag in flags:
            flagged = flagged + table.c[flag]
        selects.append(sa.select(*[table.c[n] for n in names], flagged.label("flagged")))
    if len(selects) == 1:
        return selects[0].subquery("lignes")
    return sa.union_all(*selects).subquery("lignes")


# ---------------------------------------------------------------------------- aggregates


def _period_key(rows: sa.Subquery, unit: m.PeriodUnit) -> Expr:
    y, mo = rows.c.y, rows.c.m
    if unit is m.PeriodUnit.YEAR:
        return y
    if unit is m.PeriodUnit.MONTH:
        return y * _n(100) + mo
    if unit is m.PeriodUnit.QUARTER:
        q = sa.case((mo <= _n(3), 1), (mo <= _n(6), 2), (mo <= _n(9), 3), else_=4)
        return y * _n(10) + q
    if unit is m.PeriodUnit.SEMESTER:
        return y * _n(10) + sa.case((mo <= _n(6), 1), else_=2)
    return _n(0)  # the whole period: a constant, not a parameter


def _match(
    rows: sa.Subquery,
    dialect: Dialect,
    key: SlotKey,
    type_index: dict[str, int],
    slot_fields: SlotFields,
    plan: m.Plan,
    with_condition: bool = True,
) -> tuple[Expr, Expr | None]:
    """(does a row count for this slot, the field's value column)."""
    condition, value = _condition(rows, dialect, key, slot_fields, plan, with_condition)
    typed = rows.c.t == _n(type_index[key.event_type])
    return (typed if condition is None else sa.and_(typed, condition)), value


def _condition(
    rows: sa.Subquery,
    dialect: Dialect,
    key: SlotKey,
    slot_fields: SlotFields,
    plan: m.Plan,
    with_condition: bool = True,
) -> tuple[Expr | None, Expr | None]:
    """(what a row of the slot's type must also meet to count — None: nothing —, the field's
    value column)."""
    parts: list[Expr] = []
    if key.deadline is not None:
        ymd = sql_ymd(rows.c.y, rows.c.m, rows.c.d)
        parts.append(ymd <= _n(_ymd(key.deadline)))
    event_type = plan.event_types[key.event_type]

    def field(name: str) -> tuple[Expr, m.FieldKind]:
        found = slot_fields[(key.event_type, name)]
        return rows.c[found.column], found.kind

    if with_condition and key.where is not None:
        codes = {
            name: found.codes
            for (type_name, name), found in slot_fields.items()
            if type_name == key.event_type and found.codes is not None
        }
        parts.append(compile_where(key.where, event_type, field, dialect, codes))
    value = None
    if key.field is not None and key.fn is not m.AggregateFn.SHARE:
        value = field(key.field)[0]
        parts.append(value.is_not(None))
    return (sa.and_(*parts) if parts else None), value


def _slot_columns(
    rows: sa.Subquery,
    dialect: Dialect,
    keys: list[SlotKey],
    type_index: dict[str, int],
    slot_fields: SlotFields,
    plan: m.Plan,
    tag: str = "",
    typed: bool = True,
) -> tuple[list[list[Any]], list[tuple[SlotKey, list[str]]]]:
    """Per slot: its aggregate columns (a CASE column per quantity, named with `tag`) and their
    names. `typed=False`: in a SELECT that reads only the slot's event type, the columns are
    aggregates with a FILTER on the rest of the test, or none (DuckDB)."""
    one, zero = _n(1), _n(0)
    per_slot: list[list[Any]] = []
    layout: list[tuple[SlotKey, list[str]]] = []

    def over(agg: Any, test: Expr | None, value: Expr | None) -> Any:
        """`agg` of `value` (of every row when None) over the rows that meet `test`."""
        if not typed:
            column = agg(value) if value is not None else sa.func.count()
            return column if test is None else column.filter(test)
        assert test is not None
        if value is None:
            return sa.func.sum(sa.case((test, one), else_=zero))
        return agg(sa.case((test, value), else_=sa.null()))

    for n, key in enumerate(keys):
        if typed:
            matched, value = _match(rows, dialect, key, type_index, slot_fields, plan)
            test: Expr | None = matched
        else:
            test, value = _condition(rows, dialect, key, slot_fields, plan)
        names = [f"{tag}c{n}"]
        columns: list[Any] = [over(None, test, None).label(names[0])]
        fn = key.fn
        x = f"{tag}x{n}"
        if fn in (m.AggregateFn.SUM, m.AggregateFn.AVG):
            columns.append(over(sa.func.sum, test, value).label(x))
        elif fn in (m.AggregateFn.MIN, m.AggregateFn.MAX):
            columns.append(
                over(sa.func.min if fn is m.AggregateFn.MIN else sa.func.max, test, value).label(x)
            )
        elif fn is m.AggregateFn.DISTINCT:
            assert value is not None
            columns.append(over(lambda v: sa.func.count(sa.distinct(v)), test, value).label(x))
        elif fn is m.AggregateFn.SHARE:
            if typed:
                base: Expr | None = _match(
                    rows, dialect, key, type_index, slot_fields, plan, with_condition=False
                )[0]
            else:
                base = _condition(rows, dialect, key, slot_fields, plan, with_condition=False)[0]
            columns.append(over(None, base, None).label(x))
        if len(columns) > 1:
            names.append(x)
        per_slot.append(columns)
        layout.append((key, names))
    return per_slot, layout


def _read_slots(
    data: Mapping[str, Any],
    type_name: str,
    layout: list[tuple[SlotKey, list[str]]],
    states: dict[SlotKey, SlotState],
) -> None:
    """One result row (an event type, a period key `k`) into the states of its slots."""
    k = int(data["k"])
    for key, names in layout:
        if key.event_type != type_name:
            continue
        count = int(data[names[0]] or 0)
        st = KeyState(count)
        fn = key.fn
        if len(names) > 1:
            x = data[names[1]]
            if fn is m.AggregateFn.AVG:
                st.value = None if x is None else _number(x)
                st.extra = count
            elif fn is m.AggregateFn.DISTINCT:
                st.value = DistinctCount(int(x or 0)) if x else None
            elif fn is m.AggregateFn.SHARE:
                st.extra = int(x or 0)
            else:  # sum, min, max
                st.value = None if x is None else _number(x)
        if st.count or st.extra or st.value is not None:
            states[key][k] = st


def _aggregate(
    ctx: Context,
    rows: sa.Subquery,
    unit: m.PeriodUnit,
    keys: list[SlotKey],
    type_index: dict[str, int],
    slot_fields: SlotFields,
    plan: m.Plan,
    states: dict[SlotKey, SlotState],
) -> None:
    """One GROUP BY for every slot of a period unit: a CASE column per slot and quantity."""
    period = _period_key(rows, unit).label("k")
    per_slot, layout = _slot_columns(rows, ctx.dialect, keys, type_index, slot_fields, plan)
    wanted = sorted({type_index[k.event_type] for k in keys})
    group = [rows.c.t, *([] if unit is m.PeriodUnit.WHOLE else [period])]
    stmt = (
        sa.select(rows.c.t, period, *[c for columns in per_slot for c in columns])
        .where(rows.c.cat == _n(USED), rows.c.t.in_([_n(w) for w in wanted]))
        .group_by(*group)
    )
    by_type = {v: k for k, v in type_index.items()}
    for row in ctx.execute(stmt).all():
        _read_slots(row._mapping, by_type[int(row._mapping["t"])], layout, states)


class _DuckAggregates:
    """DuckDB: every slot of every period unit, and the row accounting, in one statement (one
    grouped SELECT per period unit and event type, each computing only the slots of its type:
    a row meets only the aggregates of its own type). Built first, run later (`read`)."""

    def __init__(
        self,
        ctx: Context,
        rows: sa.Subquery,
        groups: list[tuple[m.PeriodUnit, list[SlotKey]]],
        type_index: dict[str, int],
        slot_fields: SlotFields,
        plan: m.Plan,
        accounting: sa.Select[Any],
    ):
        self.type_index = type_index
        branches: list[sa.Select[Any]] = [accounting.add_columns(_n(-1).label("u"))]
        self.units: list[_UnitQuery] = []
        # Slots that count every used row of their type over the whole window: the accounting
        # branch counts those rows already (a branch per such type cost 2 ms of 45).
        self.plain: list[SlotKey] = []
        for j, (unit, keys) in enumerate(groups):
            period = _period_key(rows, unit).label("k")
            group = [rows.c.t, *([] if unit is m.PeriodUnit.WHOLE else [period])]
            per_slot, layout = _slot_columns(
                rows, ctx.dialect, keys, type_index, slot_fields, plan, f"u{j}_", typed=False
            )
            slot_types = [type_index[key.event_type] for key in keys]
            counted_rows = [
                unit is m.PeriodUnit.WHOLE and _counts_rows(rows, ctx.dialect, key, slot_fields, plan)
                for key in keys
            ]
            self.plain += [key for key, counts in zip(keys, counted_rows, strict=True) if counts]
            for w in sorted(set(slot_types)):
                mine = [
                    c for n, t in enumerate(slot_types) if t == w and not counted_rows[n] for c in per_slot[n]
                ]
                if mine:
                    branches.append(
                        sa.select(_n(j).label("u"), rows.c.t, period, *mine)
                        .where(rows.c.cat == _n(USED), rows.c.t == _n(w))
                        .group_by(*group)
                    )
            computed = [entry for entry, counts in zip(layout, counted_rows, strict=True) if not counts]
            self.units.append(_UnitQuery(j, unit, keys, slot_types, computed))
        self.statement = UnionByName(branches)

    def read(self, result: Sequence[Any], states: dict[SlotKey, SlotState]) -> list[tuple[Any, ...]]:
        """The statement's rows into the slots' states; returns the accounting rows (source,
        outcome, type, rows, flagged rows)."""
        by_type = {v: k for k, v in self.type_index.items()}
        counted: list[tuple[Any, ...]] = []
        for row in result:
            data = row._mapping
            j = int(data["u"])
            if j < 0:
                counted.append((data["s"], data["cat"], data["t"], data["n"], data["odd"]))
            else:
                _read_slots(data, by_type[int(data["t"])], self.units[j].layout, states)
        used_rows: dict[int, int] = {}
        for _, cat, t, n, _ in counted:
            if int(cat) == USED:
                used_rows[int(t)] = used_rows.get(int(t), 0) + int(n)
        for key in self.plain:
            if n := used_rows.get(self.type_index[key.event_type], 0):
                states[key][0] = KeyState(n)  # the whole window's one period key
        return counted


def _counts_rows(
    rows: sa.Subquery,
    dialect: Dialect,
    key: SlotKey,
    slot_fields: SlotFields,
    plan: m.Plan,
) -> bool:
    """Whether the slot's figure is the number of used rows of its type (nothing else to meet)."""
    if key.fn not in (m.AggregateFn.COUNT, m.AggregateFn.EXISTS):
        return False
    return _condition(rows, dialect, key, slot_fields, plan)[0] is None


@attrs.define
class _UnitQuery:
    """The slots of one period unit in the DuckDB statements (columns tagged `u{j}_`; `layout`:
    the slots the aggregates statement computes, not those the accounting counts)."""

    j: int
    unit: m.PeriodUnit
    keys: list[SlotKey]
    slot_types: list[int]
    layout: list[tuple[SlotKey, list[str]]]


def _number(x: Any) -> float:
    """A sum, minimum or maximum from SQL (int, Decimal or float) as the float Python keeps."""
    return float(x)


def _evidence(
    ctx: Context,
    rows: sa.Subquery,
    unit: m.PeriodUnit,
    keys: list[SlotKey],
    type_index: dict[str, int],
    slot_fields: SlotFields,
    plan: m.Plan,
    states: dict[SlotKey, SlotState],
    used: list[str],
    sources: Sequence[SourceSpec],
) -> None:
    """The first EVIDENCE_CAP matching rows of every slot and period, in reading order."""
    one, zero = _n(1), _n(0)
    period = _period_key(rows, unit)
    flags: list[Any] = []
    running: list[Any] = []
    for n, key in enumerate(keys):
        matched, _ = _match(rows, ctx.dialect, key, type_index, slot_fields, plan)
        flag = sa.case((matched, one), else_=zero)
        flags.append(flag.label(f"f{n}"))
        running.append(
            sa.func.sum(flag)
            .over(
                partition_by=[rows.c.t, *([] if unit is m.PeriodUnit.WHOLE else [period])],
                order_by=[rows.c.s, rows.c.r],
                rows=(None, 0),
            )
            .label(f"n{n}")
        )
    wanted = sorted({type_index[k.event_type] for k in keys})
    inner = (
        sa.select(
            rows.c.s,
            rows.c.r,
            rows.c.t,
            rows.c.y,
            rows.c.m,
            rows.c.d,
            rows.c.rid,
            period.label("k"),
            *flags,
            *running,
        )
        .where(rows.c.cat == _n(USED), rows.c.t.in_([_n(w) for w in wanted]))
        .subquery("preuves")
    )
    keep = sa.or_(
        *[sa.and_(inner.c[f"f{n}"] == one, inner.c[f"n{n}"] <= _n(EVIDENCE_CAP)) for n in range(len(keys))]
    )
    stmt = sa.select(inner).where(keep)
    for row in ctx.execute(stmt).all():
        data = row._mapping
        s, r, t = int(data["s"]), int(data["r"]), int(data["t"])
        date = dt.date(int(data["y"]), int(data["m"]), int(data["d"]))
        rid = data["rid"]
        ident = None if is_blank(rid) else str(rid)
        event = Event(used[t], date, {}, ident, None, sources[s].name, r)
        k = int(data["k"])
        for n, key in enumerate(keys):
            if data[f"f{n}"] == 1 and data[f"n{n}"] <= EVIDENCE_CAP:
                st = states[key].get(k)
                if st is None:
                    st = states[key][k] = KeyState()
                st.evidence.append((s, r, event))


_ROW_BITS = 1 << 40  # (source, row) as one integer: source * 2**40 + row


def _position(rows: sa.Subquery) -> Expr:
    """A row's (source, row) as one integer, in SQL: source * 2**40 + row."""
    return rows.c.s * _n(_ROW_BITS, sa.BigInteger) + rows.c.r


PREFIX_ROWS = 16384  # evidence is looked for in the first rows of a file first


class _TopEvidence:
    """DuckDB: each slot's first EVIDENCE_CAP rows in reading order, with the top-N aggregates
    `min(x, n)` and `arg_min(x, v, n)` (no sort, no window), in a statement after the
    aggregates. In one file the first rows usually hold them all: they are looked for there
    first, and in the whole file only when the aggregates' counts say some are missing."""

    def __init__(
        self,
        sources: Sequence[SourceSpec],
        with_ident: bool,
        match: Callable[[sa.Subquery, SlotKey], Expr | None],
        first: sa.Subquery | None,
    ):
        self.sources = sources
        self.with_ident = with_ident
        self.match = match  # what a row of a slot's type must meet to count (None: nothing)
        self.first = first  # the first rows of a single file, searched first

    def columns(self, rows: sa.Subquery, test: Expr | None, name: str) -> list[Any]:
        """The first positions (and their dates) of the rows of a group meeting `test`."""
        position = _position(rows)
        ymd = sql_ymd(rows.c.y, rows.c.m, rows.c.d)
        cap = _n(EVIDENCE_CAP)
        first: Any = sa.func.min(position, cap)
        dates: Any = sa.func.arg_min(ymd, position, cap)
        if test is not None:
            first, dates = first.filter(test), dates.filter(test)
        return [first.label(f"e{name}"), dates.label(f"w{name}")]

    def start(self, ctx: Context, units: list[_UnitQuery]) -> Any:
        """The search in the first rows, compiled now and run beside the aggregates (`ctx.aside`);
        None without first rows to search."""
        if self.first is None or not units:
            return None
        stmt, names = self.statement(self.first, units)
        return ctx.aside(ctx.prepare(stmt)), names

    def collect(
        self,
        ctx: Context,
        rows: sa.Subquery,
        units: list[_UnitQuery],
        states: dict[SlotKey, SlotState],
        early: Any = None,
    ) -> None:
        """The evidence of every unit's slots, whose counts are in `states`: from the first
        rows of a single file (`early`: their search, started), then from the whole file for the
        units still missing some."""
        if not units:
            return  # every slot is computed in Python
        found: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
        todo = units
        if early is not None:
            job, names = early
            self.read(job.join(), units, names, found)
            todo = [uq for uq in units if not self.complete(uq, found, states)]
            for stale in [key for key in found if any(key[0] == uq.j for uq in todo)]:
                del found[stale]
        if todo:
            self.search(ctx, rows, todo, found)
        chosen = [(units[j].keys[n], k, pos, ymd) for (j, n, k), pairs in found.items() for pos, ymd in pairs]
        self.fetch(ctx, rows, chosen, states)

    def search(
        self,
        ctx: Context,
        rows: sa.Subquery,
        units: list[_UnitQuery],
        found: dict[tuple[int, int, int], list[tuple[int, int]]],
    ) -> None:
        """The first rows of each slot and period among `rows`, into `found`."""
        stmt, names = self.statement(rows, units)
        self.read([row._mapping for row in ctx.execute(stmt).all()], units, names, found)

    def statement(self, rows: sa.Subquery, units: list[_UnitQuery]) -> tuple[Any, dict[tuple[int, int], str]]:
        """One statement over `rows`: a grouped SELECT per unit (by type and period), with
        each slot's top-N columns filtered on what its rows must meet beyond their type; the
        slots with nothing more to meet share one pair of columns. Returns it, and each slot's
        column suffix by (unit, slot)."""
        selects = []
        names: dict[tuple[int, int], str] = {}  # (unit, slot) -> its evidence columns' suffix
        for uq in units:
            period = _period_key(rows, uq.unit).label("k")
            evidence: list[Any] = []
            shared = False  # the pair of the slots with nothing to meet, written once
            for n, key in enumerate(uq.keys):
                test = self.match(rows, key)
                name = f"{uq.j}_t" if test is None else f"{uq.j}_{n}"
                if test is not None or not shared:
                    evidence += self.columns(rows, test, name)
                    shared = shared or test is None
                names[(uq.j, n)] = name
            selects.append(
                sa.select(_n(uq.j).label("u"), rows.c.t, period, *evidence)
                .where(rows.c.cat == _n(USED), rows.c.t.in_([_n(t) for t in sorted(set(uq.slot_types))]))
                .group_by(rows.c.t, *([] if uq.unit is m.PeriodUnit.WHOLE else [period]))
            )
        return UnionByName(selects), names

    def read(
        self,
        result: Sequence[Mapping[str, Any]],
        units: list[_UnitQuery],
        names: dict[tuple[int, int], str],
        found: dict[tuple[int, int, int], list[tuple[int, int]]],
    ) -> None:
        by_j = {uq.j: uq for uq in units}
        for data in result:
            uq, t, k = by_j[int(data["u"])], int(data["t"]), int(data["k"])
            for n, slot_type in enumerate(uq.slot_types):
                if slot_type == t:
                    # both lists are in the order of the positions (arg_min's is its value's)
                    name = names[(uq.j, n)]
                    both = zip(data[f"e{name}"] or (), data[f"w{name}"] or (), strict=True)
                    found[(uq.j, n, k)] = [(int(pos), int(ymd)) for pos, ymd in both]

    def complete(
        self,
        uq: _UnitQuery,
        found: dict[tuple[int, int, int], list[tuple[int, int]]],
        states: dict[SlotKey, SlotState],
    ) -> bool:
        """Whether every slot and period of the unit has its first rows (or all its rows)."""
        return all(
            len(found.get((uq.j, n, k), ())) >= min(st.count, EVIDENCE_CAP)
            for n, key in enumerate(uq.keys)
            for k, st in states[key].items()
        )

    def fetch(
        self,
        ctx: Context,
        rows: sa.Subquery,
        chosen: list[tuple[SlotKey, int, int, int]],  # slot, period key, position, yyyymmdd
        states: dict[SlotKey, SlotState],
    ) -> None:
        """The chosen rows into their slots' evidence, with their identifiers if there are any."""
        idents: dict[int, Any] = {}
        if self.with_ident and chosen:
            position = _position(rows)
            wanted = sorted({pos for _, _, pos, _ in chosen})
            for start in range(0, len(wanted), FETCH_BATCH):
                batch = wanted[start : start + FETCH_BATCH]
                fetch = sa.select(position, rows.c.rid).where(
                    rows.c.cat == _n(USED), position.in_([_n(p, sa.BigInteger) for p in batch])
                )
                idents.update((int(pos), rid) for pos, rid in ctx.execute(fetch).all())
        for key, k, pos, ymd in chosen:
            st = states[key].get(k)
            if st is None:
                st = states[key][k] = KeyState()
            s, r = divmod(pos, _ROW_BITS)
            rid = idents.get(pos)
            ident = None if is_blank(rid) else str(rid)
            date = dt.date(ymd // 10000, ymd // 100 % 100, ymd % 100)
            st.evidence.append((s, r, Event(key.event_type, date, {}, ident, None, self.sources[s].name, r)))


def _merge_distinct(
    ctx: Context,
    rows: sa.Subquery,
    key: SlotKey,
    state: SlotState,
    extra: SlotState,
    type_index: dict[str, int],
    slot_fields: SlotFields,
    plan: m.Plan,
) -> None:
    """Distinct values found by Python: count those SQL has not counted already."""
    for k, st in extra.items():
        values = st.value
        if not values:
            continue
        as_sql = {_sql_value(v) for v in values}
        matched, value = _match(rows, ctx.dialect, key, type_index, slot_fields, plan)
        assert value is not None
        found: set[Any] = set()
        pending = list(as_sql)
        while pending:
            batch, pending = pending[:FETCH_BATCH], pending[FETCH_BATCH:]
            stmt = (
                sa.select(value)
                .where(
                    rows.c.cat == _n(USED),
                    matched,
                    _period_key(rows, key.unit) == _n(k),
                    value.in_([sa.literal(v) for v in batch]),
                )
                .distinct()
            )
            found.update(row[0] for row in ctx.execute(stmt).all())
        mine = state.get(k)
        already = len(mine.value) if mine is not None and mine.value is not None else 0
        added = len(as_sql - found)
        total = already + added
        if mine is None:
            mine = state[k] = KeyState()
        mine.value = DistinctCount(total) if total else None
        st.value = None  # merged here; merge() must not touch it


# ---------------------------------------------------------------------------- Python's share


class _FetchedSource:
    """Rows of one source fetched back from the classified table, as the file reader gives them."""

    def __init__(
        self,
        ctx: Context,
        spec: SourceSpec,
        table: sa.FromClause,
        cats: tuple[int, ...],
        types: list[int] | None,
        mapping: Any,
        any_rows: bool = True,  # False: known to have no such row, nothing to ask
    ):
        self.any_rows = any_rows
        self.ctx = ctx
        self.spec = spec
        self.table = table
        self.cats = cats
        self.types = types
        self.mapping = mapping
        self.name = spec.name

    def rows(self) -> Iterator[Row]:
        from ..sources.columns import finisher

        if not self.any_rows:
            return
        spec, table = self.spec, self.table
        keys = [key for _, key, _ in spec.columns]
        finish = finisher(keys, self.mapping) if self.mapping is not None else None
        cond = [table.c.cat.in_([_n(c) for c in self.cats])]
        if self.types is not None:
            cond.append(table.c.t.in_([_n(t) for t in self.types]))
        listed = "raw" in table.c  # the fast classification keeps a row's cells as one list
        cells = [table.c.raw] if listed else [table.c[f"raw_{col}"] for col, _, _ in spec.columns]
        stmt = sa.select(table.c.r, *cells).where(*cond).order_by(table.c.r)
        result = self.ctx.execute(stmt)
        text_cells = spec.text_cells
        while True:
            batch = result.fetchmany(FETCH_BATCH)
            if not batch:
                break
            for row in batch:
                record: dict[str, Any] = {}
                raw_values = row[1] if listed else tuple(row)[1:]
                for key, value in zip(keys, raw_values, strict=True):
                    if value is None and text_cells:
                        value = ""
                    if key not in record:
                        record[key] = value
                out: Mapping[str, Any] | RowProblem | SkippedRow = (
                    record if finish is None else finish(record)
                )
                yield int(row[0]), out


def rejections_of(result: PlanResult) -> list[Rejection]:
    return list(result.rejections)


__all__ = ["SourceSpec", "bucket_key", "run"]
