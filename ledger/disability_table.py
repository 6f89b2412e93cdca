"""The table of partial permanent disability: each loss and its percentage (reference data).

A work accident that leaves a partial permanent disability pays the table's percentage x 80 x
the wage (PP 44/2015 Lampiran III, as amended by PP 82/2019; docs/domain.md section 4); a loss of
function rather than of the part pays that percentage times the share of function lost
(:func:`ledger.work_accident.partial_disability`). The table is part of a dated rule set
(:class:`ledger.benefits.BenefitRules`), so a new table is a new rule set, not a code change.

**Rows shipped** (the percentages as the regulation's table gives them; labels in our words):
both eyes 70%; one eye, or double vision at near sight, 35%; hearing of both ears 40%; hearing
of one ear 20%; both ear lobes 10%; one ear lobe 5%; the wing of the nose 30%; a perforated
nasal septum 15%; the sense of smell 10%; colour vision 10%; the dominant arm from the shoulder
joint down (the right arm, the left one for a left-handed member) 40%; the other arm from the
shoulder joint down 35%.

**Rows not shipped**, because the source consulted (a published summary of the table citing
PP 82/2019; the gazette's text was not available to us) did not give them in full, or gives no
single percentage: the scalp (10% to 30%, graded by the doctor), a reduction of hearing (6% for
both ears and 3% for one ear per 10 decibels), a partial loss of sight (7%) and of the field of
vision (7% for 10%), whose wording could not be confirmed; and every row below the shoulder:
the arm from above or below the elbow, the hand from the wrist, each finger and its joints, the
legs from the hip, the knee and the ankle, each toe. A clerk meeting one of these cannot claim
it through the table until its row is added (a new rule set, checked against the gazette).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.errors import InvalidInputError


@dataclass(frozen=True)
class DisabilityRow:
    """One loss in the table: a code, its label in both languages, its percentage."""

    code: str
    label_id: str
    label_en: str
    percent: int


@dataclass(frozen=True)
class DisabilityTable:
    """The table in force from a date, with the regulation it comes from."""

    source: str
    valid_from: date
    rows: tuple[DisabilityRow, ...]

    def __post_init__(self) -> None:
        codes = [row.code for row in self.rows]
        if len(set(codes)) != len(codes):
            raise InvalidInputError("a disability table lists each loss once", field="rows")
        for row in self.rows:
            if not 0 < row.percent <= 100:
                raise InvalidInputError(f"the percentage of '{row.code}' must be 1 to 100",
                                        field="rows")

    def row(self, code: str) -> DisabilityRow:
        """The row of a loss, or a refusal naming the codes the table has."""
        wanted = code.strip().lower() if isinstance(code, str) else code
        for row in self.rows:
            if row.code == wanted:
                return row
        known = ", ".join(row.code for row in self.rows)
        raise InvalidInputError(
            f"'{code}' is not a loss in the disability table ({self.source}); it lists: {known}",
            field="disability")


#: PP 44/2015 Lampiran III as amended by PP 82/2019: the rows we could confirm (module docstring).
PP82_2019_TABLE = DisabilityTable(
    source="PP 44/2015 Lampiran III jo. PP 82/2019",
    valid_from=date(2019, 12, 2),
    rows=(
        DisabilityRow("eyes_both", "penglihatan kedua mata", "sight of both eyes", 70),
        DisabilityRow("eye_one", "penglihatan satu mata atau diplopia pada penglihatan dekat",
                      "sight of one eye, or double vision at near sight", 35),
        DisabilityRow("hearing_both_ears", "pendengaran kedua telinga",
                      "hearing of both ears", 40),
        DisabilityRow("hearing_one_ear", "pendengaran satu telinga", "hearing of one ear", 20),
        DisabilityRow("ear_lobes_both", "kedua daun telinga", "both ear lobes", 10),
        DisabilityRow("ear_lobe_one", "satu daun telinga", "one ear lobe", 5),
        DisabilityRow("nose_wing", "cuping hidung", "the wing of the nose", 30),
        DisabilityRow("nasal_septum", "perforasi sekat rongga hidung",
                      "a perforated nasal septum", 15),
        DisabilityRow("smell", "daya penciuman", "the sense of smell", 10),
        DisabilityRow("colour_vision", "penglihatan warna", "colour vision", 10),
        DisabilityRow("arm_dominant_from_shoulder",
                      "lengan kanan (kiri bagi yang kidal) dari sendi bahu ke bawah",
                      "the dominant arm from the shoulder joint down", 40),
        DisabilityRow("arm_other_from_shoulder",
                      "lengan kiri (kanan bagi yang kidal) dari sendi bahu ke bawah",
                      "the other arm from the shoulder joint down", 35),
    ),
)
