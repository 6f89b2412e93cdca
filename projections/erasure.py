"""PersonErased on the read side: the person's personal fields the read models still hold read
"[dihapus]", every figure kept.

The log itself needs nothing: once the person's data key is destroyed, their sealed fields
decode as "[dihapus]", so a rebuild writes "[dihapus]" where a name or number was. The tables
projected before the erasure still hold what they were given; this handler overwrites those
columns of the person's rows, found by the person's (data subject's) id, in the same batch as
the event, so the live tables hold what a rebuild would. Ids, dates, amounts and statuses are
left as they are (the keyed pseudonyms of family cards and accounts too), and the findings
group people by their ids and compare families and accounts by those pseudonyms, never by a
number: every figure, total and finding count is the same after the erasure as before, and
again after ``project --rebuild``.

:data:`ERASED_COLUMNS` is the one list of which table holds whose personal text in which column;
a table that gains such a column adds it here.
"""

from __future__ import annotations

from typing import Any

from ledger.personal_fields import ERASED
from projections.handlers import HANDLERS, Op, Operation

#: (table, the column naming the data subject, the personal text columns overwritten). The
#: same columns a rebuild after the erasure fills with "[dihapus]" as it decodes the events.
ERASED_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # The member: NIK, name, family card and BPJS card numbers.
    ("members", "person_id", ("nik", "name", "kk", "kpj")),
    # Claims about the member (the deceased's NIK, their KK on a city grant) ...
    ("claims", "person_id", ("subject_nik", "subject_kk")),
    # ... and claims paid to the person (an heir: their NIK and bank account).
    ("claims", "claimant_id", ("claimant_nik", "account")),
    # A scholarship child: NIK and name, and the NIK on each school year claimed.
    ("scholarship_children", "subject_id", ("child_nik", "child_name")),
    ("scholarship_years", "child_subject_id", ("child_nik",)),
    # A work accident's JKK case: the member's NIK.
    ("jkk_cases", "person_id", ("subject_nik",)),
)


def person_erased(e: Any, position: int) -> list[Operation]:
    """Overwrite the person's personal text in every read model with "[dihapus]" (a column
    that holds nothing for a row stays empty, as a rebuild leaves it)."""
    person = str(e.originator_id)
    return [Op(f"UPDATE {{{table}}} SET "
               + ", ".join(f"{column} = CASE WHEN {column} IS NULL THEN NULL ELSE ? END"
                           for column in columns) + f" WHERE {subject} = ?",
               (*(ERASED for _ in columns), person))
            for table, subject, columns in ERASED_COLUMNS]


HANDLERS["Person.Erased"] = person_erased
