"""What a clerk types, resolved: codes in any case, ids without diacritics or by number, times as
written in Vietnam, and the closest matches when nothing fits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.model import Request, Unit
from matching.lookup import find_message_key, find_request, find_unit, parse_when

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = (
    Unit("STC", "Đoàn Sở Tài chính", aliases=("Sở Tài chính",)),
    Unit("STP", "Đoàn Sở Tư pháp", aliases=("Sở Tư pháp",)),
    Unit("SCT", "Đoàn Sở Công Thương"),
    Unit("BHXH", "Đoàn Bảo hiểm Xã hội Thành phố"),
)
REQUESTS = (
    Request("178-TB/ĐTN", "a", datetime(2023, 8, 3, tzinfo=VN), datetime(2023, 8, 11, tzinfo=VN)),
    Request("185-TB/ĐTN", "b", datetime(2023, 8, 14, tzinfo=VN), datetime(2023, 8, 21, tzinfo=VN)),
    Request("185-KH/ĐTN", "c", datetime(2023, 8, 15, tzinfo=VN), datetime(2023, 8, 30, tzinfo=VN)),
)


@pytest.mark.parametrize("typed", ["stc", "STC", " Stc ", "so tai chinh", "Sở Tài chính"])
def test_unit_in_any_case_or_by_its_name(typed: str) -> None:
    assert find_unit(typed, UNITS).value == "STC"


def test_a_wrong_unit_code_gives_the_closest_codes() -> None:
    found = find_unit("STX", UNITS)
    assert found.value is None and not found.ambiguous
    assert set(found.closest) >= {"STC", "STP"} and "BHXH" not in found.closest


@pytest.mark.parametrize("typed", ["178-TB/ĐTN", "178-TB/DTN", "178-tb/dtn", "178/TB-DTN", "178",
                                   " 178 "])
def test_request_without_diacritics_or_by_its_number(typed: str) -> None:
    assert find_request(typed, REQUESTS).value == "178-TB/ĐTN"


def test_a_number_two_requests_share_is_ambiguous() -> None:
    found = find_request("185", REQUESTS)
    assert (found.value, found.ambiguous) == (None, True)
    assert set(found.closest) == {"185-TB/ĐTN", "185-KH/ĐTN"}
    assert find_request("185-KH/DTN", REQUESTS).value == "185-KH/ĐTN"


def test_a_wrong_request_gives_the_closest_ids() -> None:
    assert "178-TB/ĐTN" in find_request("179-TB/DTN", REQUESTS).closest
    assert find_request("999", REQUESTS).value is None


def test_message_key_by_its_start_in_any_case() -> None:
    keys = ["916cf6c7cd77ac96", "916d000000000000", "c7206cc2fb02db14"]
    assert find_message_key("C7206", keys).value == "c7206cc2fb02db14"
    assert find_message_key("916", keys).ambiguous
    missing = find_message_key("c7206cc2fb02db15x", keys)
    assert missing.value is None and missing.closest[0] == "c7206cc2fb02db14"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/08/2023 17:00", datetime(2023, 8, 14, 17, 0, tzinfo=VN)),
        ("14/8/2023 17:00", datetime(2023, 8, 14, 17, 0, tzinfo=VN)),
        ("17g00 14/8/2023", datetime(2023, 8, 14, 17, 0, tzinfo=VN)),
        ("17h ngày 14-8-2023", datetime(2023, 8, 14, 17, 0, tzinfo=VN)),
        ("17 giờ 30 ngày 14/08/2023", datetime(2023, 8, 14, 17, 30, tzinfo=VN)),
        ("2023-08-14T17:00", datetime(2023, 8, 14, 17, 0, tzinfo=VN)),
        ("2023-08-14 17:00+00:00", datetime(2023, 8, 15, 0, 0, tzinfo=VN)),
    ],
)
def test_times_as_written_in_vietnam_or_iso(typed: str, expected: datetime) -> None:
    assert parse_when(typed, VN) == expected


@pytest.mark.parametrize("typed", ["14/08/2023", "2023-08-14", "ngày 14/8/2023"])
def test_a_date_alone_is_the_end_of_that_day_for_until(typed: str) -> None:
    assert parse_when(typed, VN, end_of_day=True) == datetime(2023, 8, 14, 23, 59, 59, tzinfo=VN)
    assert parse_when(typed, VN) == datetime(2023, 8, 14, tzinfo=VN)


@pytest.mark.parametrize("typed", ["mai", "", "32/08/2023", "14/13/2023 17:00", "25g00 14/8/2023"])
def test_what_is_not_a_date_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_when(typed, VN)
