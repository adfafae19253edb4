import json

import pytest

from aigc_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, Question, ____
from aigc_course.exercises.build import SolutionMarkerError, blank_source, build_all


def _q():
    return Question("q1", lambda v: None if v == 42 else f"你的答案是 {v}，不是 42", var="answer",
                    hints=["想想生命的意义", "是 6×7"], solution="`answer = 6 * 7`")


def test_check_statuses():
    q = _q()
    assert q.evaluate(42).status == CORRECT
    r = q.evaluate(41)
    assert r.status == INCORRECT and r.message == "你的答案是 41，不是 42"
    assert q.evaluate(____).status == NOT_ATTEMPTED
    assert q.evaluate(____ * 2 + 1).status == NOT_ATTEMPTED  # arithmetic on a blank stays blank


def test_check_reads_the_callers_variables(capsys, monkeypatch):
    monkeypatch.delenv("AIGC_STRICT_CHECKS", raising=False)
    q = _q()
    answer = 42  # noqa: F841 (read by q.check through the caller's frame)
    q.check()
    assert "q1 ✔ 正确" in capsys.readouterr().out
    answer = 7  # noqa: F841
    q.check()
    assert "q1 ✘ 不正确：你的答案是 7，不是 42" in capsys.readouterr().out


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("AIGC_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="strict check failed: q1 … 尚未作答"):
        _q().check(____)


def test_errors_in_learner_code_are_reported():
    q = Question("q2", lambda f: None if f(2) == 4 else "f(2) 应为 4", var="f")
    r = q.evaluate(lambda x: 1 / 0)
    assert r.status == INCORRECT and r.message == "运行你的答案时出错：ZeroDivisionError: division by zero"
    with pytest.raises(NameError, match=r"the variable\(s\) f are not defined yet"):
        q.check()


def test_hints_and_solution(capsys):
    q = _q()
    q.hint()
    assert "提示 1/2" in capsys.readouterr().out
    q.hint(2)
    assert "是 6×7" in capsys.readouterr().out
    q.solution()
    assert "answer = 6 * 7" in capsys.readouterr().out


def test_blank_source_rules():
    src = ("def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    if y:\n        y += 1\n    return y\n"
           "    ### END SOLUTION\n\n### BEGIN SOLUTION\na, b = 1, 2\nprint(a)\n### END SOLUTION\nq1.check()")
    assert blank_source(src) == ("def f(x):\n    # 你的代码：把 ____ 换成答案\n    y = ____\n    return ____\n\n"
                                 "# 你的代码：把 ____ 换成答案\na, b = ____, ____\nq1.check()")
    assert blank_source("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION\n") == "# 你的代码：把 ____ 换成答案\npass\n"
    assert blank_source("答：\n### BEGIN SOLUTION\n是 42\n### END SOLUTION\n", "markdown") == "答：\n（在这里写下你的答案）\n"
    with pytest.raises(SolutionMarkerError, match="without ### END SOLUTION"):
        blank_source("### BEGIN SOLUTION\nx = 1\n")


def test_build_all_writes_and_detects_drift(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 3, "outputs": [{"x": 1}],
         "source": ["### BEGIN SOLUTION\n", "answer = 42\n", "### END SOLUTION"]}]}
    (sol / "ex01_aigc_overview.ipynb").write_text(json.dumps(nb))
    assert [p.name for p in build_all(sol, ex).written] == ["ex01_aigc_overview.ipynb"]
    built = json.loads((ex / "ex01_aigc_overview.ipynb").read_text())
    assert built["cells"][0]["source"] == "# 你的代码：把 ____ 换成答案\nanswer = ____"
    assert built["cells"][0]["outputs"] == [] and built["cells"][0]["execution_count"] is None
    assert build_all(sol, ex, check=True).stale == []
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "# 新标题"})  # solutions change:
    (sol / "ex01_aigc_overview.ipynb").write_text(json.dumps(nb))
    assert len(build_all(sol, ex, check=True).stale) == 1
    assert len(build_all(sol, ex).written) == 1  # … and the untouched exercise is rebuilt


def test_shared_checker_helpers():
    import numpy as np

    from aigc_course.exercises.core import NotAttempted, as_array, as_number, scalar_checker

    check = scalar_checker("loss", 0.211, {0.15: "原文的 0.15 是错的"})
    assert check(0.2107) is None
    assert check(np.float32(0.211)) is None
    assert check(0.15) == "原文的 0.15 是错的"
    assert check(1) == "loss = 1.0000 不对；请对照公式再算一遍。"
    assert check("0.2") == "loss 应该是一个数，而你给的是 str '0.2'"
    assert check([0.2, 0.3]) == "loss 应该是一个数，而你给的数组形状是 (2,)"
    with pytest.raises(NotAttempted):
        as_number(____, "x")
    assert as_array([[1, 2]], "w").shape == (1, 2)
    with pytest.raises(TypeError, match="w 应该是一个数组，而你给的是 dict"):
        as_array({"a": object()}, "w")


def test_iterating_a_blank_raises_not_answered_instead_of_hanging():
    from helpers import raises_message

    from aigc_course.exercises.core import NotAttempted

    message = "这里的 ____ 还没有作答（not answered yet）：先把 ____ 换成你的答案，再运行这段代码。"
    with raises_message(NotAttempted, message):
        for _ in ____:
            pass
    with raises_message(NotAttempted, message):
        list(____.items())
    with raises_message(NotAttempted, message):
        3 in ____  # noqa: B015

    def total(xs):  # a learner's function that loops over what it is given
        return sum(x for x in xs)
    q = Question("q3", lambda f: None if f([1, 2]) == 3 else "不对", var="total")
    r = q.evaluate(lambda xs: total(____))
    assert r.status == NOT_ATTEMPTED and r.message == message


def test_not_a_function_one_message_for_every_chapter():
    from aigc_course.exercises.core import NotAttempted, ____, not_a_function

    assert not_a_function(len, "auc") is None
    assert not_a_function(3, "auc") == "auc 应该是一个函数，而你给的是 int。"
    assert not_a_function("f", "auc", "auc(positive, negative)") == (
        "auc 应该是一个函数 auc(positive, negative)，而你给的是 str。")
    with pytest.raises(NotAttempted, match="^先把 auc 写完。$"):
        not_a_function(____, "auc")
