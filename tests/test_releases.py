"""Release life cycle: draft → published → withdrawn, rollback, diff and small-number protection."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from indicators import releases
from indicators.queries import release_for, series, values_for_year
from tests.conftest import invoke

KOMMUNEN = [f"032410{n:02d}" for n in range(1, 22)]
HEADER = ["ags", "indicator", "year", "value", "numerator", "denominator"]


def small_release(
    path: Path,
    numerators: dict[int, dict[str, int]],
    ind: str = "sgb2_quote",
    change: dict | None = None,
) -> Path:
    """A long-form CSV: per year the Kommunen's numerators (default 40+i) and the Region's sum."""
    rows = []
    for year, special in numerators.items():
        nums = {a: special.get(a, 40 + i) for i, a in enumerate(KOMMUNEN)}
        dens = {a: 1000 + 100 * i for i, a in enumerate(KOMMUNEN)}
        for a in KOMMUNEN:
            rows.append([a, ind, year, round(nums[a] / dens[a] * 100, 4), nums[a], dens[a]])
        n, d = sum(nums.values()), sum(dens.values())
        rows.append(["03241", ind, year, round(n / d * 100, 4), n, d])
    for r in rows:
        key = (r[0], r[2])
        if change and key in change:
            r[3] = change[key]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def engine(app):
    return app.extensions["sozmon_engine"]


def rel(app, label: str) -> dict:
    with engine(app).connect() as c:
        return releases.by_label(c, label)


# 2023: one Kommune below 3 (secondary suppression needed); 2024: two below 3.
SMALL = {2023: {"03241005": 2}, 2024: {"03241007": 1, "03241011": 0}}


@pytest.fixture
def small(fresh_app, tmp_path):
    """A draft '2025-1' with small numerators loaded into a fresh database."""
    path = small_release(tmp_path / "klein.csv", SMALL)
    result = invoke(fresh_app, "import", str(path), "--label", "2025-1")
    assert result.exit_code == 0, result.output
    return fresh_app


def test_draft_is_invisible_to_the_public_until_published(small):
    draft = rel(small, "2025-1")
    assert draft["status"] == "draft" and draft["published_at"] is None
    with engine(small).connect() as c:
        # citizens see the old values
        assert "2025-1" not in release_for(c, "sgb2_quote").releases
        # real (Regionaldatenbank): the demo's synthetic values of it are never shown (0009)
        assert release_for(c, "sgb2_quote").releases == ("regionalstatistik-2017",)
        assert releases.visible_release(c, draft["id"], editor=False) is None
        assert releases.visible_release(c, draft["id"], editor=True).label == "2025-1"
        assert releases.visible_release(c, 999999, editor=True) is None
    result = invoke(small, "publish", "2025-1")
    assert result.exit_code == 0, result.output
    with engine(small).connect() as c:
        current = release_for(c, "sgb2_quote")
        assert current.releases[0] == "2025-1" and current.status == "published"
        # the new release's cells are shown, layered over the others
        shown = values_for_year(c, "sgb2_quote", 2023, None)
        assert {v.release_label for v in shown} == {"2025-1"} and len(shown) == 21
        # others untouched
        assert release_for(c, "armutsgefaehrdung_quote").label == "demo-2024-2"
        demo = releases.by_label(c, "demo-2024-2")
        assert len(years := values_for_year(c, "sgb2_quote", 2020, demo["id"])) == 21
        assert all(v.value is not None for v in years)  # the earlier release stays readable
    again = invoke(small, "publish", "2025-1")
    assert again.exit_code == 1 and "bereits veröffentlicht" in again.output


def test_rollback_makes_the_previous_release_current_and_keeps_it_readable(small):
    assert invoke(small, "publish", "2025-1").exit_code == 0
    result = invoke(small, "rollback")
    assert result.exit_code == 0, result.output
    assert "2025-1 zurückgezogen" in result.output
    # what the pages show of sgb2_quote now: the Regionaldatenbank, never the demo's values
    # of a real indicator (the rule of migration 0014, not "the newest with any value")
    assert "regionalstatistik-2017" in result.output and "demo-2024-2" not in result.output
    withdrawn = rel(small, "2025-1")
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"] is not None
    with engine(small).connect() as c:
        assert "2025-1" not in release_for(c, "sgb2_quote").releases
        assert releases.visible_release(c, withdrawn["id"], editor=False).status == "withdrawn"
        assert len(values_for_year(c, "sgb2_quote", 2023, withdrawn["id"])) == 21
    # Rolling back the demo too would leave its indicators without data: refused.
    refused = invoke(small, "rollback")
    assert refused.exit_code == 1
    assert "keinen veröffentlichten Datenstand" in refused.output
    assert rel(small, "demo-2024-2")["status"] == "published"
    # and the withdrawn release can be made current again
    assert invoke(small, "publish", "2025-1").exit_code == 0
    with engine(small).connect() as c:
        assert release_for(c, "sgb2_quote").releases[0] == "2025-1"


def test_rollback_of_a_draft_or_unknown_release_is_refused(small):
    assert "nicht veröffentlicht" in invoke(small, "rollback", "2025-1").output
    assert "gibt es nicht" in invoke(small, "rollback", "2099-9").output


def test_discard_draft_only_for_drafts(small):
    assert "nur Entwürfe" in invoke(small, "discard-draft", "demo-2024-2").output.replace(
        "Nur", "nur"
    )
    result = invoke(small, "discard-draft", "2025-1")
    assert result.exit_code == 0 and "44 Werten verworfen" in result.output
    assert rel(small, "2025-1") is None


def test_publish_withholds_small_numerators_and_one_more_against_the_total(small):
    assert invoke(small, "publish", "2025-1").exit_code == 0
    rid = rel(small, "2025-1")["id"]
    with engine(small).connect() as c:
        rows = c.execute(
            text(
                "SELECT ags, year, value, numerator, denominator, suppressed FROM value"
                " WHERE release_id = :r"
            ),
            {"r": rid},
        ).all()
    withheld = {(r.ags, r.year) for r in rows if r.suppressed}
    # primary: numerator < 3
    assert {("03241005", 2023), ("03241007", 2024), ("03241011", 2024)} <= withheld
    # secondary: 2023 had one withheld Kommune, so the next-smallest numerator (03241001: 40)
    # is withheld too; 2024 already had two, so nothing more.
    assert ("03241001", 2023) in withheld
    assert len(withheld) == 4
    assert ("03241", 2023) not in withheld
    for r in rows:
        if r.suppressed:  # nothing recoverable is stored
            assert r.value is None and r.numerator is None
        else:
            assert r.value is not None and r.numerator is not None


def test_withheld_values_cannot_be_back_calculated_from_the_region_total(small):
    assert invoke(small, "publish", "2025-1").exit_code == 0
    rid = rel(small, "2025-1")["id"]
    with engine(small).connect() as c:
        per_year = c.execute(
            text(
                "SELECT v.year, count(*) FILTER (WHERE v.suppressed) AS hidden,"
                " sum(v.numerator) AS shown FROM value v JOIN area a ON a.ags = v.ags"
                " WHERE v.release_id = :r AND a.level = 'kommune' GROUP BY v.year"
            ),
            {"r": rid},
        ).all()
        region = dict(
            c.execute(
                text("SELECT year, numerator FROM value WHERE release_id = :r AND ags = '03241'"),
                {"r": rid},
            ).all()
        )
    for r in per_year:
        assert r.hidden != 1  # one hidden value would be "Region minus the others"
        if r.hidden:
            # the Region minus the published Kommunen gives only a sum of at least two values
            assert region[r.year] - r.shown == sum({2023: [2, 40], 2024: [1, 0]}[r.year])


def test_withheld_values_do_not_leak_through_queries_or_downloads(small, tmp_path):
    assert invoke(small, "publish", "2025-1").exit_code == 0
    rid = rel(small, "2025-1")["id"]
    with engine(small).connect() as c:
        vals = {v.ags: v for v in values_for_year(c, "sgb2_quote", 2023, rid)}
        assert vals["03241005"].suppressed and vals["03241005"].value is None
        assert vals["03241005"].numerator is None
        assert dict(series(c, "sgb2_quote", ["03241005"], rid)["03241005"])[2023] is None
    out = tmp_path / "diff.csv"
    assert invoke(small, "diff", "demo-2024-2", "2025-1", "--out", str(out)).exit_code == 0
    body = out.read_text(encoding="utf-8")
    row = next(
        r
        for r in csv.DictReader(body.splitlines())
        if (r["ags"], r["year"], r["indicator"]) == ("03241005", "2023", "sgb2_quote")
    )
    assert row["value_2025-1"] == "geheim" and row["difference"] == ""
    cells = {c for row in csv.reader(body.splitlines()) for c in row}
    assert str(round(2 / 1400 * 100, 4)) not in cells  # the raw share of 2 of 1400


def test_suppression_threshold_is_configurable(fresh_app, tmp_path):
    fresh_app.config["SUPPRESS_NUMERATOR_BELOW"] = 50  # 40+i: Kommunen 1..10 are below 50
    path = small_release(tmp_path / "k.csv", {2023: {}})
    assert invoke(fresh_app, "import", str(path), "--label", "x").exit_code == 0
    assert invoke(fresh_app, "publish", "x").exit_code == 0
    with engine(fresh_app).connect() as c:
        n = c.scalar(
            text(
                "SELECT count(*) FROM value v JOIN release r ON r.id = v.release_id"
                " WHERE r.label = 'x' AND v.suppressed"
            )
        )
    assert n == 10


def test_diff_lists_changed_added_and_removed_values(fresh_app, tmp_path):
    a = small_release(tmp_path / "a.csv", {2022: {}, 2023: {}})
    b = small_release(
        tmp_path / "b.csv", {2022: {}, 2023: {}, 2024: {}}, change={("03241002", 2022): 4.5}
    )  # a revision of an earlier year
    assert invoke(fresh_app, "import", str(a), "--label", "A").exit_code == 0
    assert invoke(fresh_app, "import", str(b), "--label", "B").exit_code == 0
    result = invoke(fresh_app, "diff", "A", "B")
    assert result.exit_code == 0, result.output
    assert "A → B: 1 geändert, 22 neu, 0 entfallen." in result.output
    assert "geändert   sgb2_quote 03241002 2022" in result.output
    back = invoke(fresh_app, "diff", "B", "A", "--out", str(tmp_path / "d.csv"))
    assert "0 geändert, 0 neu, 22 entfallen" not in back.output  # the revision counts too
    assert "1 geändert, 0 neu, 22 entfallen" in back.output
    rows = list(csv.DictReader((tmp_path / "d.csv").open(encoding="utf-8")))
    assert len(rows) == 23
    rev = next(r for r in rows if r["change"] == "geändert")
    assert (rev["ags"], rev["year"], rev["value_B"]) == ("03241002", "2022", "4.5")
    assert float(rev["difference"]) == pytest.approx(41 / 1100 * 100 - 4.5, abs=1e-3)
    assert "hinweis" not in rows[0]  # neither release is synthetic
    assert "gibt es nicht" in invoke(fresh_app, "diff", "A", "Z").output


def test_diff_against_synthetic_release_says_beispieldaten(small, tmp_path):
    out = tmp_path / "d.csv"
    assert invoke(small, "diff", "demo-2024-2", "2025-1", "--out", str(out)).exit_code == 0
    first = next(csv.DictReader(out.open(encoding="utf-8")))
    assert first["hinweis"] == "Beispieldaten (synthetisch)"


def test_catalogue_changes_wait_for_publish(fresh_app, tmp_path):
    cat = tmp_path / "cat.csv"
    good = Path(__file__).parent / "data" / "releases"
    rows = list(csv.reader((good / "catalogue_new.csv").open(encoding="utf-8")))
    changed = list(rows[1])
    changed[0], changed[2] = "sgb2_quote", "SGB-II-Quote (neu definiert)"
    with cat.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([rows[0], rows[1], changed])
    values = small_release(tmp_path / "v.csv", {2023: {}})
    result = invoke(
        fresh_app,
        "import",
        str(values),
        str(good / "values_new_indicator.csv"),
        "--catalogue",
        str(cat),
        "--label",
        "K",
    )
    assert result.exit_code == 0, result.output
    name = "SELECT name_de FROM indicator WHERE id = 'sgb2_quote'"
    with engine(fresh_app).connect() as c:
        before = c.scalar(text(name))
    assert before != "SGB-II-Quote (neu definiert)"  # the draft does not change public pages
    assert invoke(fresh_app, "publish", "K").exit_code == 0
    with engine(fresh_app).connect() as c:
        assert c.scalar(text(name)) == "SGB-II-Quote (neu definiert)"


def test_releases_command_lists_everything(small):
    out = invoke(small, "releases").output
    assert "2025-1" in out and "draft" in out and "demo-2024-2" in out


def test_every_release_command_has_help(app):
    for cmd in ("import", "publish", "rollback", "diff", "editor-add", "discard-draft", "releases"):
        result = invoke(app, cmd, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
        assert len(result.output.splitlines()) > 4
