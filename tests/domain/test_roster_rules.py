"""Roster rows are checked all at once, each error named by its spreadsheet row."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.domain.people import parse_date, pinyin_username
from appraisal.domain.roster import RosterFormatError, validate_roster

HEADER = ["姓名", "性别", "出生日期", "政治面貌", "职务职级", "科室", "用户名", "角色"]
SECTIONS = {"秘书科", "综合科"}


def test_a_clean_roster_yields_every_row():
    rows = [HEADER, ["张三", "男", "1990-01-05", "中共党员", "一级科员", "秘书科", "zhangsan", "科员、科长"]]
    good, errors = validate_roster(rows, SECTIONS, set())
    assert errors == []
    assert good[0].birth_date == dt.date(1990, 1, 5)
    assert good[0].roles == ("staff", "chief")


def test_each_bad_row_is_reported_with_its_row_number_and_value():
    rows = [
        HEADER,
        ["张三", "男", "1990-01-05", "", "", "秘书科", "", ""],
        ["李四", "男", "1990-13-01", "", "", "秘书科", "", ""],
        ["", "女", "", "", "", "财务科", "", ""],
    ]
    good, errors = validate_roster(rows, SECTIONS, set())
    messages = [str(e) for e in errors]
    assert len(good) == 1
    assert "第 3 行：出生日期“1990-13-01”不是有效日期" in messages
    assert "第 4 行：姓名不能为空" in messages
    assert "第 4 行：科室“财务科”不存在" in messages


def test_usernames_already_taken_or_repeated_in_the_file_are_refused():
    rows = [
        HEADER,
        ["甲", "男", "", "", "", "秘书科", "admin", ""],
        ["乙", "女", "", "", "", "秘书科", "yi", ""],
        ["丙", "女", "", "", "", "秘书科", "yi", ""],
    ]
    _, errors = validate_roster(rows, SECTIONS, {"admin"})
    messages = [str(e) for e in errors]
    assert "第 2 行：用户名“admin”已被使用" in messages
    assert "第 4 行：用户名“yi”与第 3 行重复" in messages


def test_a_roster_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(RosterFormatError, match="科室"):
        validate_roster([["姓名", "性别"], ["张三", "男"]], SECTIONS, set())


def test_blank_rows_are_skipped():
    good, errors = validate_roster([HEADER, [None] * 8, ["张三", "女", None, None, None, "综合科"]], SECTIONS, set())
    assert errors == [] and len(good) == 1


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_are_read_in_every_way_offices_write_them(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                 f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d")):
        assert parse_date(text) == day


def test_impossible_dates_are_not_dates():
    assert parse_date("2026-02-30") is None
    assert parse_date("明天") is None


def test_pinyin_usernames_are_numbered_for_namesakes():
    assert pinyin_username("张伟", set()) == "zhangwei"
    assert pinyin_username("张伟", {"zhangwei"}) == "zhangwei2"
    assert pinyin_username("张伟", {"zhangwei", "zhangwei2"}) == "zhangwei3"
