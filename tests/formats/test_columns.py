"""Fixed-width CLI tables read as rows, without their padding, and prose left alone."""

from __future__ import annotations

import pytest

from nocp.formats.structured import parse_structured

KUBECTL = """\
NAMESPACE   NAME                  READY   STATUS    RESTARTS      AGE   NOMINATED NODE
default     web-7d4b9c-x2x        1/1     Running   4 (20m ago)   2d    <none>
kube-sys    coredns-5d78c9869d    0/1     Pending   0             17m   <none>
"""

SQLITE = """\
section  packages  total_kb
-------  --------  --------
misc     29        1697396
libs     319       676275
name              version
----------------  -------
google-cloud-cli  528.0.0
kubectl           1:528.0
"""

DPKG = """\
Desired=Unknown/Install/Remove/Purge/Hold
| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
||/ Name           Version      Description
+++-==============-============-=======================
ii  adduser        3.134        add and remove users
ii  zstd           1.5.4+dfsg2  fast lossless compression
"""


def test_columns_are_found_from_the_header_and_the_spaces_every_line_shares() -> None:
    parsed = parse_structured(KUBECTL)
    assert parsed is not None and parsed.source == "a fixed-width table"
    assert parsed.value == [
        {"NAMESPACE": "default", "NAME": "web-7d4b9c-x2x", "READY": "1/1", "STATUS": "Running",
         "RESTARTS": "4 (20m ago)", "AGE": "2d", "NOMINATED NODE": "<none>"},
        {"NAMESPACE": "kube-sys", "NAME": "coredns-5d78c9869d", "READY": "0/1", "STATUS": "Pending",
         "RESTARTS": 0, "AGE": "17m", "NOMINATED NODE": "<none>"},
    ]  # fmt: skip


def test_a_ruler_of_another_shape_starts_another_table() -> None:
    parsed = parse_structured(SQLITE)
    assert parsed is not None and parsed.source == "2 fixed-width tables"
    assert parsed.value == {
        "table_1": [
            {"section": "misc", "packages": 29, "total_kb": 1697396},
            {"section": "libs", "packages": 319, "total_kb": 676275},
        ],
        "table_2": [
            {"name": "google-cloud-cli", "version": "528.0.0"},
            {"name": "kubectl", "version": "1:528.0"},
        ],
    }


def test_lines_above_the_header_and_a_closing_summary_are_counted_around_the_table() -> None:
    parsed = parse_structured(DPKG + "\n(2 packages)\n")
    assert parsed is not None
    assert (parsed.head, parsed.tail) == (2, 3)  # the summary and the blank lines around it
    assert [row["Name"] for row in parsed.value] == ["adduser", "zstd"]
    assert parsed.value[0]["||/"] == "ii"


def test_a_right_aligned_column_and_an_overflowing_last_column_keep_every_character() -> None:
    text = (
        "USER       PID %CPU COMMAND\n"
        "root         1  0.0 /sbin/init splash\n"
        "www-data 12345 12.5 nginx: worker process  --daemon\n"
    )
    parsed = parse_structured(text)
    assert parsed is not None
    assert parsed.value[1] == {
        "USER": "www-data",
        "PID": 12345,
        "%CPU": 12.5,
        "COMMAND": "nginx: worker process  --daemon",
    }


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog.  It was\nnot amused\nat all, said the fox\n",
        "total 8\ndrwxr-xr-x  2 root root 4096 Nov  2 10:00 bin\n-rw-r--r--  1 root root  220 Nov  2 10:00 a\n",
        "3c8c098 Types: JSONValue is the recursive JSON type\nc8b9af5 Layout: one module per step\n"
        "247c97e Tests: the blocked sync tool starts blocked\n",
        "a\tb\tc\n1\t2\t3\n4\t5\t6\n",  # tabs: TSV's, not a fixed-width table
    ],
)
def test_text_that_is_not_a_table_is_left_alone(text: str) -> None:
    parsed = parse_structured(text)
    assert parsed is None or parsed.source != "a fixed-width table"
