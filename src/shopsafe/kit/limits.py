"""The ranges of whole numbers the databases hold.

SQLite's integers and PostgreSQL's `bigint` are signed 64-bit; our id columns are
`integer`, which PostgreSQL keeps to 32 bits. Input schemas bound their numbers by these
(`Field(le=INT64_MAX)`), so that a number out of range is the caller's mistake (422), never
a crash when it reaches the driver.
"""

from __future__ import annotations

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
