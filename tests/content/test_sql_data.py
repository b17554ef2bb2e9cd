"""The sql-data deck: every numeric answer recomputed by building the front's table in an in-memory SQLite
database and running the front's query, and the choice cards whose keys are query results checked the same
way, so a wrong key fails here rather than in an interview."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from quizzer.decks.model import ChoiceCard, NumericCard
from tests.builtin_decks import builtin_decks

DECKS = builtin_decks()
DECK = DECKS["sql-data"]


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    """A fresh in-memory database per test, so one card's tables cannot leak into another's."""
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


def load(db: sqlite3.Connection, table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    """Create `table(columns)` and insert the rows exactly as the card's front lists them."""
    db.execute(f"CREATE TABLE {table} ({columns})")
    marks = ", ".join("?" * len(rows[0]))
    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def scalar(db: sqlite3.Connection, query: str) -> float:
    (value,) = db.execute(query).fetchone()
    return value


def not_in_with_null(db: sqlite3.Connection) -> float:
    load(db, "customers", "id", [(1,), (2,), (3,), (4,)])
    load(db, "blocked", "customer_id", [(2,), (None,)])
    # The intuitive answer, 3, is what NOT EXISTS gives: the explanation quotes it.
    assert (
        scalar(
            db,
            "SELECT COUNT(*) FROM customers c WHERE NOT EXISTS "
            "(SELECT 1 FROM blocked b WHERE b.customer_id = c.id)",
        )
        == 3
    )
    return scalar(db, "SELECT COUNT(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM blocked)")


def left_join_where_right_table(db: sqlite3.Connection) -> float:
    load(db, "users", "id", [(1,), (2,), (3,), (4,)])
    load(db, "orders", "user_id, status", [(1, "paid"), (2, "refunded")])
    # The fix the explanation gives keeps all 4 users.
    assert (
        scalar(
            db, "SELECT COUNT(*) FROM users u LEFT JOIN orders o ON o.user_id = u.id AND o.status = 'paid'"
        )
        == 4
    )
    return scalar(
        db, "SELECT COUNT(*) FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE o.status = 'paid'"
    )


def join_fanout_sum(db: sqlite3.Connection) -> float:
    load(db, "users", "id, budget", [(1, 100), (2, 50)])
    load(db, "orders", "user_id", [(1,), (1,), (1,), (2,)])
    assert scalar(db, "SELECT SUM(budget) FROM users") == 150  # the true total the explanation contrasts
    return scalar(db, "SELECT SUM(u.budget) FROM users u JOIN orders o ON o.user_id = u.id")


def avg_ignores_null(db: sqlite3.Connection) -> float:
    load(db, "t", "score", [(3,), (None,), (6,), (None,), (9,)])
    assert scalar(db, "SELECT AVG(COALESCE(score, 0)) FROM t") == pytest.approx(3.6)
    return scalar(db, "SELECT AVG(score) FROM t")


def rank_after_ties(db: sqlite3.Connection) -> float:
    load(db, "scores", "name, score", [("a", 90), ("b", 90), ("c", 90), ("d", 80)])
    ranks = dict(db.execute("SELECT name, RANK() OVER (ORDER BY score DESC) FROM scores"))
    dense = dict(db.execute("SELECT name, DENSE_RANK() OVER (ORDER BY score DESC) FROM scores"))
    assert dense["d"] == 2  # the wrong answer the explanation names
    return ranks["d"]


def running_total_ties(db: sqlite3.Connection) -> float:
    load(db, "sales", "day, amount", [(1, 10), (2, 20), (2, 5), (3, 7)])
    query = "SELECT * FROM (SELECT day, amount, SUM(amount) OVER (ORDER BY day) AS total FROM sales) WHERE day = 2"
    totals = [(amount, total) for _, amount, total in db.execute(query)]
    assert sorted(totals) == [(5, 35), (20, 35)]  # both peers get the same total
    (value,) = (total for amount, total in totals if amount == 20)
    return value


def moving_average_frame_start(db: sqlite3.Connection) -> float:
    load(db, "t", "d, x", [(1, 6), (2, 12), (3, 3), (4, 9)])
    averages = dict(
        db.execute("SELECT d, AVG(x) OVER (ORDER BY d ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t")
    )
    return averages[2]


def funnel_conversion(db: sqlite3.Connection) -> float:
    rows = [
        (1, "view"),
        (1, "view"),
        (2, "view"),
        (3, "view"),
        (1, "purchase"),
        (1, "purchase"),
        (3, "purchase"),
    ]
    load(db, "events", "user_id, step", rows)
    # Counting rows instead of users gives the inflated 75% the explanation warns about.
    assert scalar(db, "SELECT 100.0 * SUM(step = 'purchase') / SUM(step = 'view') FROM events") == 75
    return scalar(
        db,
        "SELECT 100.0 * COUNT(DISTINCT CASE WHEN step = 'purchase' THEN user_id END) "
        "/ COUNT(DISTINCT CASE WHEN step = 'view' THEN user_id END) FROM events",
    )


RECOMPUTE = {
    "not-in-with-null": not_in_with_null,
    "left-join-where-right-table": left_join_where_right_table,
    "join-fanout-sum": join_fanout_sum,
    "avg-ignores-null": avg_ignores_null,
    "rank-after-ties": rank_after_ties,
    "running-total-ties": running_total_ties,
    "moving-average-frame-start": moving_average_frame_start,
    "funnel-conversion": funnel_conversion,
}


def test_every_numeric_card_is_recomputed() -> None:
    ids = {card.id for card in DECK.cards if isinstance(card, NumericCard)}
    assert ids == set(RECOMPUTE)


@pytest.mark.parametrize("card_id", sorted(RECOMPUTE))
def test_numeric_answer(card_id: str, db: sqlite3.Connection) -> None:
    card = DECK.card(card_id)
    assert isinstance(card, NumericCard)
    assert card.tolerance is not None
    expected = RECOMPUTE[card_id](db)
    assert abs(card.answer - expected) <= card.tolerance + 1e-9, (card_id, expected)


def choice(card_id: str) -> ChoiceCard:
    card = DECK.card(card_id)
    assert isinstance(card, ChoiceCard)
    return card


def test_count_star_col_distinct(db: sqlite3.Connection) -> None:
    load(db, "t", "x", [(1,), (1,), (None,), (3,)])
    counts = db.execute("SELECT COUNT(*), COUNT(x), COUNT(DISTINCT x) FROM t").fetchone()
    assert choice("count-star-col-distinct").answer == ", ".join(map(str, counts))


def test_null_group_by_forms_one_group(db: sqlite3.Connection) -> None:
    load(db, "users", "country", [("FR",), (None,), ("DE",), (None,), ("FR",)])
    groups = dict(db.execute("SELECT country, COUNT(*) FROM users GROUP BY country"))
    assert groups == {None: 2, "DE": 1, "FR": 2}
    assert choice("null-in-group-by").answer.startswith("Together as one group with country NULL and count 2")


def test_second_highest_salary(db: sqlite3.Connection) -> None:
    """Only DENSE_RANK = 2 returns exactly 90; the other options return 100 or nothing."""
    load(db, "emp", "salary", [(100,), (100,), (90,), (80,)])

    def with_rank(function: str) -> list[int]:
        query = (
            f"SELECT salary FROM (SELECT salary, {function}() OVER (ORDER BY salary DESC) AS r FROM emp) "
            "WHERE r = 2"
        )
        return [salary for (salary,) in db.execute(query)]

    assert with_rank("ROW_NUMBER") == [100]
    assert with_rank("RANK") == []
    assert with_rank("DENSE_RANK") == [90]
    assert [s for (s,) in db.execute("SELECT salary FROM emp ORDER BY salary DESC LIMIT 1 OFFSET 1")] == [100]
    assert choice("second-highest-salary").answer == "`DENSE_RANK() … = 2`"


def test_lag_days_since_previous(db: sqlite3.Connection) -> None:
    """The partitioned LAG restarts per user; the unpartitioned one leaks the previous user's last day."""
    load(db, "logins", "user_id, day", [(1, 1), (1, 4), (2, 2), (2, 3)])
    key = "SELECT user_id, day, day - LAG(day) OVER (PARTITION BY user_id ORDER BY day) FROM logins ORDER BY 1, 2"
    leaky = "SELECT user_id, day, day - LAG(day) OVER (ORDER BY user_id, day) FROM logins ORDER BY 1, 2"
    assert [gap for *_, gap in db.execute(key)] == [None, 3, None, 1]
    assert [gap for *_, gap in db.execute(leaky)] == [None, 3, -2, 1]
    assert (
        choice("lag-days-since-previous").answer
        == "`day - LAG(day) OVER (PARTITION BY user_id ORDER BY day)`"
    )


def test_percentile_cont_and_disc(db: sqlite3.Connection) -> None:
    """CONT interpolates between the middle values; DISC is the first value whose cumulative share reaches 0.5."""
    values = [1, 2, 10, 20]
    load(db, "t", "x", [(value,) for value in values])
    disc = scalar(
        db, "SELECT MIN(x) FROM (SELECT x, CUME_DIST() OVER (ORDER BY x) AS c FROM t) WHERE c >= 0.5"
    )
    position = 0.5 * (len(values) - 1)  # linear interpolation, as percentile_cont defines it
    low = int(position)
    cont = values[low] + (position - low) * (values[low + 1] - values[low])
    assert sum(values) / len(values) == 8.25  # the mean distractor
    assert choice("percentile-cont-vs-disc").answer == f"{cont:g} and {disc:g}"


def test_union_drops_identical_rows(db: sqlite3.Connection) -> None:
    load(db, "a", "user_id, day", [(1, 5), (1, 5)])
    load(db, "b", "user_id, day", [(1, 5)])
    assert scalar(db, "SELECT COUNT(*) FROM (SELECT * FROM a UNION ALL SELECT * FROM b)") == 3
    assert scalar(db, "SELECT COUNT(*) FROM (SELECT * FROM a UNION SELECT * FROM b)") == 1
    assert choice("union-vs-union-all").answer.startswith("UNION removes duplicate rows")


def test_anti_join_key_is_the_only_correct_query(db: sqlite3.Connection) -> None:
    load(db, "customers", "id", [(1,), (2,), (3,), (4,)])
    load(db, "orders", "customer_id", [(1,), (2,), (None,)])
    card = choice("anti-join-customers-no-orders")
    results = {option: sorted(i for (i,) in db.execute(option.strip("`"))) for option in card.options}
    assert [option for option, ids in results.items() if ids == [3, 4]] == [card.answer]


def test_function_on_column_defeats_index(db: sqlite3.Connection) -> None:
    """SQLite's planner seeks the index only for the bare-column range in the key."""
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, created_at TEXT)")
    db.execute("CREATE INDEX orders_created ON orders (created_at)")
    card = choice("index-function-on-column")

    def plan(where: str) -> str:
        rows = db.execute(f"EXPLAIN QUERY PLAN SELECT id FROM orders {where}").fetchall()
        return " ".join(str(row[-1]) for row in rows)

    key_where = card.answer.strip("`")
    assert "SEARCH" in plan(key_where) and "orders_created" in plan(key_where)
    for where in (
        "WHERE DATE(created_at) = '2024-01-05'",
        "WHERE CAST(created_at AS TEXT) LIKE '2024-01-05%'",
    ):
        assert "SEARCH" not in plan(where)


@pytest.mark.parametrize("values", [[1, 2, 10, 20], [7, 1, 3, 9, 5]])
def test_median_recipe_without_percentile_cont(db: sqlite3.Connection, values: list[int]) -> None:
    """The median-in-sql back's fallback: keep rows numbered (n+1)/2 and (n+2)/2 (integer division) and average."""
    load(db, "t", "x", [(value,) for value in values])
    query = (
        "SELECT AVG(x) FROM (SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS rn, COUNT(*) OVER () AS n FROM t) "
        "WHERE rn IN ((n + 1) / 2, (n + 2) / 2)"
    )
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    assert scalar(db, query) == median
    assert "(n+1)/2, (n+2)/2" in DECK.card("median-in-sql").back


def test_alias_claims_of_the_query_order_card(db: sqlite3.Connection) -> None:
    """The explanation says SQLite tolerates a SELECT alias in WHERE (standard SQL does not) and that ORDER BY
    may use it everywhere; the key is ORDER BY."""
    load(db, "sales", "price, qty", [(10, 20), (1, 2), (50, 1)])
    kept = [r for (r,) in db.execute("SELECT price * qty AS revenue FROM sales WHERE revenue > 100")]
    assert kept == [200]
    ordered = [r for (r,) in db.execute("SELECT price * qty AS revenue FROM sales ORDER BY revenue")]
    assert ordered == [2, 50, 200]
    assert choice("logical-order-alias").answer.startswith("ORDER BY")
    assert "SQLite tolerates it" in (choice("logical-order-alias").explanation or "")
