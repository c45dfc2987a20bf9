"""The order store against real databases: every test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from order_service.store import ConcurrentUpdate, DuplicateClientOrderId, OrderNotFound, OrderStore, upgrade
from order_service.store.migrate import current_revision
from order_service.store.tables import metadata
from shared.domain import Fill, Liquidity, Order, OrderStatus, OrderType, Side, TimeInForce

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
EXACT_AMOUNTS = ["0.00000001", "65000.12345678", "123456789012.123456789", "1.50", "100"]


def make_order(**fields) -> Order:
    defaults = dict(
        id=uuid.uuid4().hex, client_order_id=f"c-{uuid.uuid4().hex[:12]}", venue="binance", symbol="BTCUSDT",
        side=Side.BUY, type=OrderType.LIMIT, time_in_force=TimeInForce.GTC, quantity=Decimal("0.5"),
        price=Decimal("65000.1"), created_at=T0, updated_at=T0,
    )
    return Order(**(defaults | fields))


def make_fill(order: Order, trade_id: str, quantity: str = "0.1", at: datetime = T0, **fields) -> Fill:
    defaults = dict(
        fill_id=uuid.uuid4().hex, order_id=order.id, venue=order.venue, symbol=order.symbol, side=order.side,
        venue_trade_id=trade_id, quantity=Decimal(quantity), price=Decimal("65000.12345678"),
        fee=Decimal("0.00000650"), fee_asset="BNB", liquidity=Liquidity.MAKER, time=at,
    )
    return Fill(**(defaults | fields))


@pytest.fixture
def store(database_url):
    store = OrderStore.from_url(database_url)
    yield store
    store.dispose()


def add(store: OrderStore, *orders: Order, fingerprint: str = "fp") -> None:
    with store.unit_of_work() as uow:
        for order in orders:
            uow.add(order, fingerprint)


def all_pages(fetch, limit: int) -> list[list]:
    pages, cursor = [], None
    while True:
        page, cursor = fetch(cursor=cursor, limit=limit)
        pages.append(page)
        if cursor is None:
            return pages


# -- orders ---------------------------------------------------------------------------------------

def test_an_order_comes_back_equal_with_every_field(store):
    sao_paulo = timezone(timedelta(hours=-3))
    order = make_order(
        side=Side.SELL, type=OrderType.STOP_LIMIT, time_in_force=TimeInForce.GTD,
        quantity=Decimal("123456789012.123456789"), price=Decimal("65000.12345678"),
        stop_price=Decimal("64999.5"), post_only=True, reduce_only=True, account="acc-1", broker="308",
        algo_id="spread-1", status=OrderStatus.PARTIALLY_FILLED, filled_quantity=Decimal("0.00000001"),
        average_price=Decimal("65000") / Decimal("3"), venue_order_id="v-1", venue_client_order_id="vc-9",
        reject_code="-2010", reject_reason="insufficient balance", needs_reconcile=True,
        created_at=datetime(2024, 3, 1, 9, 0, 0, 123456, tzinfo=sao_paulo), updated_at=T0, version=7,
    )
    add(store, order, fingerprint="sha256:abc")

    loaded = store.get(order.id)
    assert loaded == order
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at == datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
    assert store.get_by_client_order_id(order.client_order_id) == order
    assert store.get_by_venue_client_order_id("binance", "vc-9") == order
    assert store.get_by_venue_client_order_id("coinbase", "vc-9") is None
    assert store.get("missing") is None
    with store.unit_of_work() as uow:
        assert uow.get(order.id) == order
        assert uow.get_by_client_order_id(order.client_order_id) == (order, "sha256:abc")
        assert uow.get_by_venue_client_order_id("binance", "vc-9", for_update=False) == order
        assert uow.get_by_client_order_id("missing") is None


def test_venue_client_order_id_defaults_to_the_client_order_id(store):
    order = make_order(client_order_id="mine-1")
    add(store, order)
    assert store.get_by_venue_client_order_id("binance", "mine-1") == order


@pytest.mark.parametrize("amount", EXACT_AMOUNTS)
def test_amounts_survive_exactly(store, amount):
    value = Decimal(amount)
    order = make_order(quantity=value, price=value, stop_price=value, filled_quantity=value, average_price=value)
    add(store, order)
    loaded = store.get(order.id)
    for name in ("quantity", "price", "stop_price", "filled_quantity", "average_price"):
        assert format(getattr(loaded, name), "f") == amount


def test_average_price_of_several_fills_keeps_every_digit(store):
    order = make_order(quantity=Decimal("3"))
    add(store, order)
    with store.unit_of_work() as uow:
        order = uow.get(order.id)
        for n, price in enumerate(["65000.1", "65000.2", "65000.2"]):
            fill = make_fill(order, f"t{n}", "1", price=Decimal(price))
            assert uow.add_fill(fill)
            order.apply_fill(fill)
        uow.save(order)
    loaded = store.get(order.id)
    assert loaded.average_price == order.average_price
    assert len(loaded.average_price.as_tuple().digits) > 20  # the domain's full precision, unrounded
    assert loaded.status is OrderStatus.FILLED


def test_a_client_order_id_is_stored_once(store):
    first = make_order(client_order_id="dup-1")
    add(store, first, fingerprint="fp-1")
    with pytest.raises(DuplicateClientOrderId):
        add(store, make_order(client_order_id="dup-1"), fingerprint="fp-2")
    # The transaction survives the duplicate, so the caller can answer with the original order.
    with store.unit_of_work() as uow:
        with pytest.raises(DuplicateClientOrderId):
            uow.add(make_order(client_order_id="dup-1"), "fp-2")
        assert uow.get_by_client_order_id("dup-1") == (first, "fp-1")
    assert store.list_orders()[0] == [first]


def test_a_venue_client_order_id_taken_on_the_venue_is_a_duplicate(store):
    add(store, make_order(client_order_id="a", venue_client_order_id="replaced-1"))
    with pytest.raises(DuplicateClientOrderId):
        add(store, make_order(client_order_id="replaced-1"))
    add(store, make_order(client_order_id="replaced-1", venue="coinbase"))


def test_a_write_from_a_stale_copy_is_refused(store):
    add(store, make_order(id="o-1"))
    with store.unit_of_work() as uow:
        mine = uow.get("o-1")
    with store.unit_of_work() as uow:
        theirs = uow.get("o-1")
        theirs.accept("venue-1")
        uow.save(theirs)
    mine.reject("-1", "late")
    with pytest.raises(ConcurrentUpdate):
        with store.unit_of_work() as uow:
            uow.save(mine)
    stored = store.get("o-1")
    assert stored.status is OrderStatus.NEW and stored.venue_order_id == "venue-1" and stored.version == 1


def test_save_writes_every_mutable_field(store):
    order = make_order(id="o-2")
    add(store, order)
    order.accept("v-2")
    order.amend(Decimal("0.75"), Decimal("64000.5"), venue_order_id="v-3", venue_client_order_id="vc-3")
    order.needs_reconcile = True
    with store.unit_of_work() as uow:
        uow.save(order)
    assert store.get("o-2") == order
    assert store.get_by_venue_client_order_id("binance", "vc-3") == order


def test_saving_an_unknown_order_fails(store):
    with pytest.raises(OrderNotFound):
        with store.unit_of_work() as uow:
            uow.save(make_order(version=1))


def test_an_error_inside_a_unit_of_work_writes_nothing(store):
    order = make_order()
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as uow:
            uow.add(order, "fp")
            uow.add_events([(order.id, "order.accepted", "{}")])
            raise RuntimeError("venue adapter blew up")
    assert store.get(order.id) is None
    assert store.unpublished_events() == []


def test_concurrent_updates_through_units_of_work_lose_nothing(store):
    add(store, make_order(id="shared", quantity=Decimal("1")))
    errors: list[BaseException] = []

    def bump(times: int) -> None:
        try:
            for _ in range(times):
                with store.unit_of_work() as uow:
                    order = uow.get("shared")
                    order.amend(order.quantity + 1, None)
                    uow.save(order)
        except BaseException as error:  # surfaced below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=bump, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = store.get("shared")
    assert stored.quantity == Decimal("41") and stored.version == 40


# -- queries --------------------------------------------------------------------------------------

@pytest.fixture
def many_orders(store) -> list[Order]:
    """25 orders over 4 venues/symbols, several sharing a creation time."""
    statuses = [OrderStatus.NEW, OrderStatus.FILLED, OrderStatus.PENDING_NEW, OrderStatus.CANCELED,
                OrderStatus.PARTIALLY_FILLED]
    orders = []
    for n in range(25):
        orders.append(make_order(
            id=f"o{n:02d}-{uuid.uuid4().hex[:6]}",
            venue="binance" if n % 2 else "b3",
            symbol="BTCUSDT" if n % 2 else "BITH11",
            algo_id="algo-a" if n % 3 == 0 else None,
            status=statuses[n % len(statuses)],
            created_at=T0 + timedelta(seconds=n // 3),  # groups of three share a timestamp
        ))
    add(store, *orders)
    return orders


def newest_first(orders: list[Order]) -> list[Order]:
    return sorted(orders, key=lambda o: (o.created_at, o.id), reverse=True)


def test_order_pages_cover_every_order_once_newest_first(store, many_orders):
    pages = all_pages(store.list_orders, limit=4)
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 4, 1]
    flat = [o for page in pages for o in page]
    assert flat == newest_first(many_orders)


def test_a_page_that_ends_exactly_at_the_last_order_has_no_next_cursor(store, many_orders):
    page, cursor = store.list_orders(limit=25)
    assert len(page) == 25 and cursor is None
    page, cursor = store.list_orders(limit=24)
    assert cursor is not None
    assert store.list_orders(cursor=cursor, limit=24) == ([newest_first(many_orders)[-1]], None)


def test_order_filters(store, many_orders):
    def expect(pred):
        return newest_first([o for o in many_orders if pred(o)])

    open_statuses = [OrderStatus.NEW, OrderStatus.PENDING_NEW]
    assert store.list_orders(status=open_statuses)[0] == expect(lambda o: o.status in open_statuses)
    assert store.list_orders(venue="b3")[0] == expect(lambda o: o.venue == "b3")
    assert store.list_orders(symbol="BTCUSDT")[0] == expect(lambda o: o.symbol == "BTCUSDT")
    since = T0 + timedelta(seconds=5)
    assert store.list_orders(since=since)[0] == expect(lambda o: o.created_at >= since)
    combined = [o for page in all_pages(
        lambda **kw: store.list_orders(algo_id="algo-a", venue="binance", **kw), limit=2) for o in page]
    assert combined == expect(lambda o: o.algo_id == "algo-a" and o.venue == "binance")
    assert store.list_orders(status=[]) == ([], None)
    with pytest.raises(ValueError, match="timezone"):
        store.list_orders(since=datetime(2024, 3, 1))
    with pytest.raises(ValueError, match="limit"):
        store.list_fills(limit=0)
    assert store.list_orders(venue="nasdaq") == ([], None)


@pytest.mark.parametrize("cursor", ["not base64!", "e30", "WzEsMl0", "WyJub3QgYSB0aW1lIiwiaWQiXQ", ""])
def test_a_malformed_cursor_is_refused(store, cursor):
    with pytest.raises(ValueError, match="invalid cursor"):
        store.list_orders(cursor=cursor)
    with pytest.raises(ValueError, match="invalid cursor"):
        store.list_fills(cursor=cursor)


def test_open_orders_and_orders_to_reconcile(store):
    fresh = make_order(status=OrderStatus.PENDING_NEW, created_at=T0)
    working = make_order(status=OrderStatus.NEW, venue="b3", created_at=T0 + timedelta(seconds=1))
    cancelling = make_order(status=OrderStatus.PENDING_CANCEL, created_at=T0 + timedelta(seconds=2))
    flagged = make_order(status=OrderStatus.PARTIALLY_FILLED, needs_reconcile=True,
                         created_at=T0 + timedelta(seconds=3))
    done = [make_order(status=s) for s in (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED,
                                           OrderStatus.EXPIRED)]
    add(store, fresh, working, cancelling, flagged, *done)

    assert store.open_orders() == [fresh, working, cancelling, flagged]
    assert store.open_orders(venue="b3") == [working]
    assert store.orders_to_reconcile() == [fresh, cancelling, flagged]

    with store.unit_of_work() as uow:
        order = uow.get(fresh.id)
        order.accept("v-1")
        uow.save(order)
    assert store.orders_to_reconcile() == [cancelling, flagged]


def test_orders_waiting_on_a_venue_answer_are_reconciled_only_once_they_waited_long_enough(store):
    in_flight = make_order(status=OrderStatus.PENDING_NEW, created_at=T0, updated_at=T0 + timedelta(seconds=10))
    stale = make_order(status=OrderStatus.PENDING_NEW, created_at=T0 + timedelta(seconds=1), updated_at=T0)
    cancelling = make_order(status=OrderStatus.PENDING_CANCEL, created_at=T0 + timedelta(seconds=2),
                            updated_at=T0 + timedelta(seconds=10))
    flagged = make_order(status=OrderStatus.NEW, needs_reconcile=True, created_at=T0 + timedelta(seconds=3),
                         updated_at=T0 + timedelta(seconds=10))
    add(store, in_flight, stale, cancelling, flagged, make_order(status=OrderStatus.NEW))

    assert store.orders_to_reconcile(unchanged_since=T0 + timedelta(seconds=5)) == [stale, flagged]
    assert store.orders_to_reconcile(unchanged_since=T0 + timedelta(seconds=11)) == [
        in_flight, stale, cancelling, flagged]
    with pytest.raises(ValueError):
        store.orders_to_reconcile(unchanged_since=datetime(2024, 3, 1))


def test_open_order_states_carry_what_reconciliation_compares(store):
    working = make_order(status=OrderStatus.PARTIALLY_FILLED, filled_quantity=Decimal("0.2"), version=3)
    elsewhere = make_order(status=OrderStatus.NEW, venue="b3")
    add(store, working, elsewhere, make_order(status=OrderStatus.FILLED))

    [state] = store.open_order_states("binance")
    assert state == (working.id, working.venue_client_order_id, OrderStatus.PARTIALLY_FILLED, Decimal("0.2"),
                     False, T0, 3)
    assert [s.id for s in store.open_order_states("b3")] == [elsewhere.id]


def test_a_failing_unit_of_work_among_concurrent_ones_is_rolled_back_alone(store):
    barrier = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def write(n: int) -> None:
        barrier.wait(10)
        try:
            with store.unit_of_work() as uow:
                uow.add(make_order(client_order_id=f"group-{n}"), "fp")
                uow.add_events([(f"group-{n}", "order.accepted", "{}")])
                if n % 3 == 0:
                    raise RuntimeError("refused")
            # Durable and visible to every reader once the block has returned.
            outcomes[n] = "stored" if store.get_by_client_order_id(f"group-{n}") is not None else "lost"
        except RuntimeError:
            outcomes[n] = "failed"

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == {n: "failed" if n % 3 == 0 else "stored" for n in range(8)}
    stored = {o.client_order_id for o in store.list_orders(limit=100)[0]}
    assert stored == {f"group-{n}" for n in range(8) if n % 3}
    assert len(store.unpublished_events()) == 5


def test_a_write_transaction_cannot_be_nested_in_another_on_sqlite(sqlite_url):
    store = OrderStore.from_url(sqlite_url)
    try:
        with pytest.raises(RuntimeError, match="inside another"):
            with store.unit_of_work():
                with store.unit_of_work():
                    pass
        add(store, make_order())  # the store is still usable
        assert len(store.list_orders()[0]) == 1
    finally:
        store.dispose()


# -- fills ----------------------------------------------------------------------------------------

def test_a_venue_trade_is_recorded_once(store):
    order = make_order()
    add(store, order)
    first = make_fill(order, "trade-1", at=T0 + timedelta(seconds=2))
    with store.unit_of_work() as uow:
        assert not uow.has_fill("binance", "BTCUSDT", "trade-1")
        assert uow.add_fill(first) is True
        assert uow.has_fill("binance", "BTCUSDT", "trade-1")
        assert uow.add_fill(make_fill(order, "trade-1", "0.3")) is False
    with store.unit_of_work() as uow:
        assert uow.add_fill(make_fill(order, "trade-1")) is False
        # The same trade id on another symbol is another trade.
        assert uow.add_fill(make_fill(order, "trade-1", symbol="ETHUSDT", at=T0)) is True
    fills = store.fills_for_order(order.id)
    assert [f.symbol for f in fills] == ["ETHUSDT", "BTCUSDT"]  # oldest first
    assert fills[1] == first


def test_a_fill_must_belong_to_a_stored_order(store):
    with pytest.raises(sa.exc.IntegrityError):
        with store.unit_of_work() as uow:
            uow.add_fill(make_fill(make_order(), "orphan"))
    assert store.list_fills() == ([], None)


def test_fill_pages_and_filters(store):
    with_algo = make_order(algo_id="hedger")
    other = make_order(venue="b3", symbol="BITH11")
    add(store, with_algo, other)
    fills = [make_fill(with_algo if n % 2 else other, f"t{n}", at=T0 + timedelta(seconds=n // 2),
                       venue=(with_algo if n % 2 else other).venue, symbol=(with_algo if n % 2 else other).symbol,
                       liquidity=None if n % 3 else Liquidity.TAKER)
             for n in range(11)]
    with store.unit_of_work() as uow:
        for fill in fills:
            assert uow.add_fill(fill)

    expected = sorted(fills, key=lambda f: (f.time, f.fill_id), reverse=True)
    assert [f for page in all_pages(store.list_fills, limit=3) for f in page] == expected
    assert store.list_fills(algo_id="hedger")[0] == [f for f in expected if f.order_id == with_algo.id]
    assert store.list_fills(order_id=other.id)[0] == [f for f in expected if f.order_id == other.id]
    assert store.list_fills(venue="b3", symbol="BITH11")[0] == [f for f in expected if f.venue == "b3"]
    since = T0 + timedelta(seconds=3)
    assert store.list_fills(since=since)[0] == [f for f in expected if f.time >= since]


# -- outbox ---------------------------------------------------------------------------------------

def test_events_wait_in_the_outbox_until_marked_published(store):
    order = make_order()
    with store.unit_of_work() as uow:
        uow.add(order, "fp")
        first = uow.add_events([(order.id, "order.accepted", '{"n": 1}'), (order.id, "order.filled", '{"n": 2}')])
    with store.unit_of_work() as uow:
        second = uow.add_events([(order.id, "order.canceled", '{"n": 3}')])
        assert uow.add_events([]) == []
    seqs = first + second
    assert seqs == sorted(seqs) and len(set(seqs)) == 3

    assert store.unpublished_events() == [(seqs[0], '{"n": 1}'), (seqs[1], '{"n": 2}'), (seqs[2], '{"n": 3}')]
    assert store.unpublished_events(limit=2) == [(seqs[0], '{"n": 1}'), (seqs[1], '{"n": 2}')]
    store.mark_published(seqs[:2])
    store.mark_published([])
    assert store.unpublished_events() == [(seqs[2], '{"n": 3}')]
    store.mark_published(seqs)
    assert store.unpublished_events() == []


# -- schema and operations ------------------------------------------------------------------------

def test_migrations_are_idempotent_and_match_the_tables(database_url, store):
    upgrade(database_url)
    upgrade(store.engine)
    assert current_revision(store.engine) == "0001"
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
    order = make_order()
    add(store, order)
    assert store.get(order.id) == order


def test_ping_answers_while_the_database_is_reachable(store):
    store.ping()


def test_ping_raises_when_the_database_is_unreachable():
    store = OrderStore.from_url("postgresql+psycopg://postgres@127.0.0.1:1/none", migrate=False,
                                connect_args={"connect_timeout": 1})
    with pytest.raises(sa.exc.OperationalError):
        store.ping()
    store.dispose()


# -- several processes on one SQLite file ---------------------------------------------------------

def _write_from_another_process(url: str, worker: int, rounds: int, barrier) -> None:
    barrier.wait(30)  # all processes start together, so their migrations and writes collide
    store = OrderStore.from_url(url)  # every process migrates on start-up, as each service worker does
    barrier.wait(30)
    try:
        for n in range(rounds):
            with store.unit_of_work() as uow:
                uow.add(make_order(client_order_id=f"w{worker}-{n}"), "fp")
                order = uow.get("shared")
                if order is None:
                    order = make_order(id="shared", client_order_id="shared", quantity=Decimal("0"))
                    uow.add(order, "fp")
                order.amend(order.quantity + 1, None)
                uow.save(order)
                uow.add_events([(order.id, "order.amended", f'{{"worker": {worker}}}')])
    finally:
        store.dispose()


def test_processes_writing_one_sqlite_file_queue_instead_of_failing(sqlite_url):
    rounds, workers = 30, 3
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    processes = [context.Process(target=_write_from_another_process, args=(sqlite_url, w, rounds, barrier))
                 for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * workers  # a "database is locked" error exits with 1

    store = OrderStore.from_url(sqlite_url, migrate=False)
    try:
        shared = store.get("shared")
        assert shared.quantity == workers * rounds
        assert len(store.list_orders(limit=1000)[0]) == workers * rounds + 1
        assert len(store.unpublished_events(limit=1000)) == workers * rounds
    finally:
        store.dispose()
