"""The test process's ``ast.parse`` takes turns (tests/ast_turns.py)."""

from __future__ import annotations

import ast
import threading
import time

import ast_turns


def test_the_test_process_parses_in_turn():
    assert getattr(ast.parse, ast_turns.MARK, False)
    assert isinstance(ast.parse("x = 1"), ast.Module)


def test_threads_never_overlap_inside_a_parse_in_turn():
    # given: a parse that notes how many threads are inside it, and stays long enough for others to come
    inside, most, lock = [0], [0], threading.Lock()

    def slow_parse(source: str) -> str:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.01)  # holds the turn while the other threads are started and queue up
        with lock:
            inside[0] -= 1
        return source

    parse = ast_turns.in_turn(slow_parse)
    # when
    threads = [threading.Thread(target=lambda: [parse("x") for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert most[0] == 1
    assert inside[0] == 0
