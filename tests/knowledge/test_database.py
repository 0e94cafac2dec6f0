import threading

from sqlalchemy import Engine, text

from knowledge.database import create_store_engine


def test_processes_opening_a_fresh_file_at_once_all_get_in(tmp_path):
    """Eight connections opening one new SQLite file at the same moment all switch it to WAL and
    write. SQLite refuses the losers of that switch at once ("database is locked"), whatever the busy
    timeout, in about one of thirty such starts on this machine; 300 starts make a miss near certain
    without the retry (CI's failure at stop 25: replicas migrating one fresh file)."""
    for attempt in range(300):
        url = f"sqlite:///{tmp_path}/{attempt}/store.db"
        engines = [create_store_engine(url) for _ in range(8)]
        failures = _open_and_write_at_once(engines)
        with engines[0].connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            written = connection.execute(text("SELECT count(*) FROM marks")).scalar()
        for engine in engines:
            engine.dispose()
        assert failures == [], f"start {attempt}: {failures}"
        assert (mode, written) == ("wal", 8)


def _open_and_write_at_once(engines: list[Engine]) -> list[str]:
    failures: list[str] = []
    barrier = threading.Barrier(len(engines))

    def open_and_write(engine: Engine) -> None:
        barrier.wait()
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE IF NOT EXISTS marks (n INTEGER)"))
                connection.execute(text("INSERT INTO marks VALUES (1)"))
        except Exception as error:  # any failure is the finding
            failures.append(repr(error))

    threads = [threading.Thread(target=open_and_write, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return failures
