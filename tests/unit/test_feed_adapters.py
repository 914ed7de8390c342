"""Adapters on the real files, and files that cannot be read: every error names where."""

from __future__ import annotations

import json

import pytest

from shopsafe.feeds import adapters
from shopsafe.feeds.adapters.base import MalformedFeed
from shopsafe.feeds.extraction import extract
from tests.support.feeds import CPSC_API, CPSC_CSV, FDA, SAFETY_GATE, cpsc_records


def problems(source: str, data: bytes) -> list[str]:
    with pytest.raises(MalformedFeed) as caught:
        adapters.parse(source, data)
    return caught.value.problems


def test_real_cpsc_api_records() -> None:
    parsed = adapters.parse("cpsc", CPSC_API.read_bytes())
    assert len(parsed.entries) == 899 and parsed.rejects == []
    first = parsed.entries[0]
    assert (first.source_id, first.authority_ref, first.position) == (
        "26350",
        "cpsc:26350",
        "record 1",
    )
    assert first.published_at.isoformat() == "2026-03-27T00:00:00+00:00"


def test_real_cpsc_website_export() -> None:
    parsed = adapters.parse("cpsc-csv", CPSC_CSV.read_bytes())
    assert len(parsed.entries) == 902 and parsed.rejects == []
    first = parsed.entries[0]
    assert (first.source_id, first.authority_ref, first.position) == (
        "26-350",
        "cpsc:26350",
        "line 2",
    )
    assert first.remedy_options == ("Refund",) and first.units_text == "About 200"


def test_real_fda_records() -> None:
    parsed = adapters.parse("fda", FDA.read_bytes())
    assert len(parsed.entries) == 168 and parsed.rejects == []
    assert len({e.source_id for e in parsed.entries}) == 168
    no_number = [e for e in parsed.entries if e.authority_ref.startswith("fda:product:")]
    assert len(no_number) == 7  # products FDA has not given a recall number yet
    risks = {e.risk_level for e in parsed.entries}  # None: not classified yet
    assert risks == {"serious", "high", "medium", None}


def test_safety_gate_alerts_in_each_public_shape() -> None:
    alerts = json.loads(SAFETY_GATE.read_text(encoding="utf-8"))
    shapes = [
        alerts,
        {"total_count": 4, "results": alerts},
        {"records": [{"recordid": str(i), "fields": a} for i, a in enumerate(alerts)]},
    ]
    for shape in shapes:
        parsed = adapters.parse("safety-gate", json.dumps(shape).encode())
        assert [e.source_id for e in parsed.entries] == [
            "A12/00123/26",
            "A12/00456/26",
            "A12/00789/26",
        ]
        assert [str(r) for r in parsed.rejects] == [
            "record 4 (A12/00790/26): rejected: no product name, type or brand"
        ]
    kiddimo, voltra, slime = adapters.parse("safety-gate", SAFETY_GATE.read_bytes()).entries
    assert (kiddimo.kind, kiddimo.country, kiddimo.brand) == ("recall", "DE", "Kiddimo")
    assert kiddimo.models == ("KD-2201",) and kiddimo.lots == ("L2405",)
    assert (voltra.kind, voltra.models) == ("withdrawal", ("VT-65W", "VT-65W-EU"))
    assert (slime.brand, slime.risk_level, slime.lots) == (None, "medium", ())


def test_truncated_json_names_the_record_where_it_ends() -> None:
    data = CPSC_API.read_bytes()[:100_000]
    found = problems("cpsc", data)
    assert len(found) == 1
    assert found[0].startswith("record 32 (line 2232, column")
    assert "the file ends before the JSON is closed" in found[0]


def test_wrong_encoding_names_the_record_and_line() -> None:
    data = CPSC_API.read_bytes()
    spot = data.index(b"Sauna", data.index(b'"RecallNumber": "26349"'))
    latin = data[:spot] + "Saüna".encode("latin-1") + data[spot + 5 :]
    found = problems("cpsc", latin)
    assert found[0].startswith("record 2 (line ")
    assert "not UTF-8 (byte 0xfc" in found[0]


def test_missing_ids_are_all_listed() -> None:
    records = cpsc_records("26350", "26349", "26348")
    del records[1]["RecallNumber"]
    records[2]["RecallNumber"] = " "
    assert problems("cpsc", json.dumps(records).encode()) == [
        "record 2: RecallNumber is missing; every recall needs its id",
        "record 3: RecallNumber is missing; every recall needs its id",
    ]
    fda = json.loads(FDA.read_text(encoding="utf-8"))
    del fda["RESULT"][4]["PRODUCTID"]
    assert problems("fda", json.dumps(fda).encode())[0].startswith("record 5: PRODUCTID")


def test_wrong_shapes_and_empty_files() -> None:
    assert problems("cpsc", b"") == ["file: is empty"]
    assert problems("cpsc", b'{"recalls": []}')[0].startswith("file: expected an array of CPSC")
    assert problems("cpsc", b'["x"]') == ["record 1: expected an object, found str"]
    assert problems("fda", b'{"RESULT": [1]}') == ["record 1: expected an object, found int"]
    assert problems("safety-gate", b'[{"alert_number": " "}, null]') == [
        "record 1: alert_number is missing; every alert needs its id",
        "record 2: expected an object, found NoneType",
    ]
    assert adapters.parse("fda", b'{"RESULT": []}').entries == []
    assert problems("nowhere", b"[]") == [
        "SOURCE: 'nowhere' is not one of cpsc, cpsc-csv, fda, safety-gate"
    ]


def test_csv_errors_name_the_line() -> None:
    data = CPSC_CSV.read_bytes()
    assert problems("cpsc-csv", data[:50_000])[0].startswith("line 29: not valid CSV")
    header, _, rest = data.partition(b"\n")
    assert problems("cpsc-csv", header.replace(b"Recall Number,", b"Number,") + b"\n" + rest) == [
        "line 1: not a cpsc.gov recalls CSV export: no column 'Recall Number'"
    ]
    blank = data.replace(b"\n26-349,", b"\n,", 1)
    assert problems("cpsc-csv", blank) == [
        "line 3: Recall Number is empty; every recall needs its id"
    ]


def test_the_same_id_twice_keeps_the_newer_and_rejects_the_other() -> None:
    old, new = cpsc_records("26350", "26350")
    old["LastPublishDate"] = "2026-03-20T00:00:00"
    parsed = adapters.parse("cpsc", json.dumps([old, new]).encode())
    assert [e.position for e in parsed.entries] == ["record 2"]
    assert [str(r) for r in parsed.rejects] == [
        "record 1 (26350): rejected: the same id as record 2"
    ]


def test_unusable_records_are_rejected_with_their_position() -> None:
    good, dateless, nameless = cpsc_records("26350", "26349", "26348")
    dateless["LastPublishDate"] = dateless["RecallDate"] = "soon"
    nameless["Products"], nameless["Title"] = [], ""
    parsed = adapters.parse("cpsc", json.dumps([good, dateless, nameless]).encode())
    assert [str(r) for r in parsed.rejects] == [
        "record 2 (26349): rejected: no LastPublishDate or RecallDate that is a date",
        "record 3 (26348): rejected: no product name and no title",
    ]


def test_openfda_enforcement_records_are_read_too() -> None:
    document = {
        "meta": {"results": {"total": 1}},
        "results": [
            {
                "recall_number": "F-0421-2026",
                "product_description": "Sunny Farms Almond Butter, 16 oz jar, UPC 0 12345 67890 5",
                "reason_for_recall": "Undeclared peanuts.",
                "recalling_firm": "Sunny Farms LLC",
                "report_date": "20260415",
                "recall_initiation_date": "20260402",
                "classification": "Class I",
                "code_info": "Lot 240311, Best by 03/2027",
                "product_quantity": "1,200 jars",
            }
        ],
    }
    (entry,) = adapters.parse("fda", json.dumps(document).encode()).entries
    assert (entry.source_id, entry.authority_ref) == ("F-0421-2026", "fda:F-0421-2026")
    assert entry.risk_level == "serious" and entry.published_at.date().isoformat() == "2026-04-15"
    assert entry.product_names == ("Sunny Farms Almond Butter",)
    read = extract(entry)
    assert read.lots == ["240311"] and read.gtins == ["00012345678905"] and read.units == 1200
