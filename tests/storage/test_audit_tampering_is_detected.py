from __future__ import annotations

from sqlalchemy import Connection

from storage import Store
from storage.audit import chain_hash
from storage.records import AuditEvent


async def chain_of(store: Store, n: int) -> None:
    await store.append_audit_many(
        [AuditEvent(event="operation.executed", detail={"n": i}) for i in range(1, n + 1)]
    )
    assert (await store.verify_audit()).ok


async def sql(store: Store, *statements: str) -> None:
    def _run(conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    await store.database.run(_run, write=True)


async def test_an_edited_detail_names_its_row(store: Store) -> None:
    await chain_of(store, 6)
    await sql(store, """UPDATE audit_events SET detail = '{"n":99}' WHERE seq = 4""")

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 4 and report.rows_checked == 3
    assert report.problem is not None and "row 4" in report.problem


async def test_a_deleted_middle_row_names_the_missing_seq(store: Store) -> None:
    await chain_of(store, 6)
    await sql(store, "DELETE FROM audit_events WHERE seq = 3")

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 3
    assert report.problem is not None and "missing" in report.problem


async def test_a_deleted_last_row_is_caught_by_the_chain_head(store: Store) -> None:
    await chain_of(store, 6)
    await sql(store, "DELETE FROM audit_events WHERE seq = 6")

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 6 and report.rows_checked == 5
    assert report.problem is not None and "head" in report.problem


async def test_a_deleted_last_row_with_a_rewound_head_count_is_still_caught(store: Store) -> None:
    await chain_of(store, 6)
    await sql(store, "DELETE FROM audit_events WHERE seq = 6", "UPDATE audit_head SET seq = 5")

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 5


async def test_two_swapped_rows_name_the_first_of_them(store: Store) -> None:
    await chain_of(store, 6)
    await sql(
        store,
        "UPDATE audit_events SET seq = -1 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = -1",
    )

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 2


async def test_a_rehashed_edit_still_breaks_the_link_to_the_next_row(store: Store) -> None:
    await chain_of(store, 4)
    original = await store.get_audit(2)
    assert original is not None
    # Rewrite row 2 as a forger without the key would: new detail, a valid hash, the same prev_hash.
    fields = {k: v for k, v in original.__dict__.items() if k != "hash"}
    fields["detail"] = {"n": 42}
    new_hash = chain_hash(fields, key=None)
    await sql(store, f"""UPDATE audit_events SET detail = '{{"n":42}}', hash = '{new_hash}' WHERE seq = 2""")

    report = await store.verify_audit()

    assert not report.ok and report.first_bad_seq == 3
    assert report.problem is not None and "does not follow row 2" in report.problem


async def test_a_chain_written_with_a_key_fails_without_it_and_passes_with_it(
    db_url: str, store: Store
) -> None:
    keyed = await Store.open(db_url, audit_key=b"k" * 32, migrate=False)
    try:
        await keyed.append_audit_many([AuditEvent(event="e", detail={"n": i}) for i in range(3)])
        assert (await keyed.verify_audit()).ok
    finally:
        await keyed.close()

    unkeyed = await store.verify_audit()
    other_key = await Store.open(db_url, audit_key=b"x" * 32, migrate=False)
    try:
        wrong = await other_key.verify_audit()
    finally:
        await other_key.close()

    assert not unkeyed.ok and unkeyed.first_bad_seq == 1
    assert not wrong.ok and wrong.first_bad_seq == 1
