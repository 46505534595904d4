"""Names: every letter of every script is a name, however rare; emoji, digits and invisible
characters are not."""

import pytest

from appraisal.domain.people import name_problem


@pytest.mark.parametrize("name", ["张伟", "吉𠮷", "王堃", "李喆", "阿不都·热合曼", "Anne-Marie", "欧阳 娜娜"])
def test_real_names_are_accepted_whatever_their_characters(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(("name", "why"), [
    ("张😀", "姓名含有不能使用的字符“😀”"),
    ("王3", "姓名含有不能使用的字符“3”"),
    ("王\u200b明", "姓名含有不能使用的字符“U+200B”"),
    ("  ", "姓名不能为空"),
    ("张" * 51, "姓名超过 50 个字符"),
])
def test_names_that_are_not_names_are_refused_with_the_reason(name, why):
    assert name_problem(name) == why
