"""Text as the office writes it."""

from appraisal.domain.text import sentence


def test_a_reason_reads_as_one_sentence_whether_or_not_it_ends_in_a_full_stop():
    assert sentence("经核实，未落实一次性告知") == "经核实，未落实一次性告知。"
    assert sentence("经核实，未落实一次性告知。") == "经核实，未落实一次性告知。"
    assert sentence(" 确有其事！ ") == "确有其事！" and sentence("") == ""
