"""PersonErased on the read side: the person's personal fields the read models still hold read
"[dihapus]", every figure kept.

The log itself needs nothing: once the person's data key is destroyed, their sealed fields
decode as "[dihapus]", so a rebuild writes "[dihapus]" where a name or number was. The tables
projected before the erasure still hold what they were given; this handler overwrites those
columns of the person's rows, found by the person's id, in the same batch as the event (so a
read model never lags behind the log's erasure). Ids, dates, amounts, statuses and the columns
the findings group people by are left as they are: every figure, total and finding count is
the same after the erasure as before, and the same again after ``project --rebuild``.

:data:`ERASED_COLUMNS` is the one list of which table holds whose personal text in which column;
a table that gains such a column adds it here.
"""

from __future__ import annotations

from typing import Any

from ledger.personal_fields import ERASED
from projections.handlers import HANDLERS, Op, Operation

#: The members' rows of one person (a person has one row per enrolment).
_MEMBER = "person_id = ?"
#: The person's NIK as the members' table holds it, to find the rows that name it.
_NIK = "(SELECT nik FROM {members} WHERE person_id = ? LIMIT 1)"

#: (table, the person's rows, the personal text columns overwritten).
ERASED_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # The member: name, family card and BPJS card numbers.
    ("members", _MEMBER, ("name", "kk", "kpj")),
    # Claims about the member (the deceased's KK on a city grant) ...
    ("claims", "enrolment_id IN (SELECT enrolment_id FROM {members} WHERE person_id = ?)",
     ("subject_kk",)),
    # ... and claims paid to the person (an heir's bank account).
    ("claims", f"claimant_nik = {_NIK}", ("account",)),
    # A scholarship child's name.
    ("scholarship_children", f"child_nik = {_NIK}", ("child_name",)),
)


def person_erased(e: Any, position: int) -> list[Operation]:
    """Overwrite the person's personal text in every read model with "[dihapus]"."""
    person = str(e.originator_id)
    # The rows found by the person's NIK first: the members' row still names it.
    ordered = sorted(ERASED_COLUMNS, key=lambda entry: entry[0] == "members")
    return [Op(f"UPDATE {{{table}}} SET " + ", ".join(f"{column} = ?" for column in columns)
               + f" WHERE {where}", (*(ERASED for _ in columns), person))
            for table, where, columns in ordered]


HANDLERS["Person.Erased"] = person_erased
