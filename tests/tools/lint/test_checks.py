import json
from pathlib import Path

import pytest

from mlstack.cli import main
from mlstack.errors import InputError
from mlstack.tools.lint import (
    LintFinding,
    UnparsableCellWarning,
    format_lint,
    iter_lint_files,
    lint_file,
    lint_paths,
    lint_source,
)

REPO = Path(__file__).resolve().parents[3]


def _rules(code):
    return [(f.rule, f.line) for f in lint_source(code)]


def _notebook(path, cells):
    """Write a notebook whose cells are (cell_type, source) pairs."""
    nb = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


# ---------------------------------------------------------------------------------------------
# one fixture per rule


FLAGGED = {
    "AP1-iterrows": ("for _, row in df.iterrows():\n    total += row.x\n", [("AP1", 1)]),
    "AP1-itertuples": ("s = [r.a for r in df.itertuples()]\n", [("AP1", 1)]),
    "AP1-apply-axis1": ("df['z'] = df.apply(lambda r: r.a + r.b, axis=1)\n", [("AP1", 1)]),
    "AP1-range-len-iloc": (
        "for i in range(len(df)):\n    total += df.iloc[i]['x']\n",
        [("AP1", 1)],
    ),
    "AP1-index-loc": (
        "for i in df.index:\n    df.loc[i, 'y'] = df.loc[i, 'x'] * 2\n",
        [("AP1", 1)],
    ),
    "AP2-search-fit-test": (
        "gs = GridSearchCV(SVC(), {'C': [1, 10]})\ngs.fit(X_test, y_test)\n",
        [("AP2", 2)],
    ),
    "AP2-inline-search": ("GridSearchCV(SVC(), grid).fit(X_test, y_test)\n", [("AP2", 1)]),
    "AP2-cv-on-test": ("cross_val_score(model, X_test, y_test, cv=5)\n", [("AP2", 1)]),
    "AP2-tuning-loop": (
        "for C in [0.1, 1, 10]:\n    m = SVC(C=C).fit(X_train, y_train)\n"
        "    scores[C] = m.score(X_test, y_test)\n",
        [("AP2", 3)],
    ),
    "AP2-tuning-comprehension": (
        "s = {d: Tree(max_depth=d).fit(X_train, y_train).score(X_test, y_test) for d in ds}\n",
        [("AP2", 1)],
    ),
    "AP2-early-stopping": (
        "model.fit(X_train, y_train, eval_set=[(X_test, y_test)])\n",
        [("AP2", 1)],
    ),
    "AP3-fit-transform-then-split": (
        "X_scaled = StandardScaler().fit_transform(X)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)\n",
        [("AP3", 1)],
    ),
    "AP3-fit-then-cv": (
        "scaler = StandardScaler()\nscaler.fit(X)\nXs = scaler.transform(X)\n"
        "print(cross_val_score(SVC(), Xs, y))\n",
        [("AP3", 2)],
    ),
    "AP3-train-and-test-together": (
        "enc = OneHotEncoder()\nenc.fit(pd.concat([X_train, X_test]))\n",
        [("AP3", 2)],
    ),
    "AP3-columns-assigned-in-place": (
        "num = df.select_dtypes('number').columns\nscaler = StandardScaler()\n"
        "df[num] = scaler.fit_transform(df[num])\ntrain, valid = train_test_split(df)\n",
        [("AP3", 3)],
    ),
    "AP3-inline-in-cv": (
        "cross_val_score(SVC(), StandardScaler().fit_transform(X), y)\n",
        [("AP3", 1)],
    ),
    "AP3-scaled-train-then-cv": (
        "X_train_scaled = scaler.fit_transform(X_train)\n"
        "cross_val_score(model, X_train_scaled, y_train)\n",
        [("AP3", 1)],
    ),
    "AP3-fitted-then-search": (
        "pre = StandardScaler().fit(X_train)\nXt = pre.transform(X_train)\n"
        "gs = GridSearchCV(SVC(), grid)\ngs.fit(Xt, y_train)\n",
        [("AP3", 1)],
    ),
    "AP3-split-outputs-then-cv": (
        "a, b, ya, yb = train_test_split(X, y)\nsc = StandardScaler().fit(a)\n"
        "cross_val_score(SVC(), sc.transform(a), ya)\n",
        [("AP3", 2)],
    ),
    "AP4-toy-loader": (
        "X, y = load_iris(return_X_y=True)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n",
        [("AP4", 2)],
    ),
    "AP4-make-classification": (
        "X, y = make_classification(n_samples=500)\nXa, Xb, ya, yb = train_test_split(X, y)\n",
        [("AP4", 2)],
    ),
    "AP4-literal-sample": (
        "n = 800\nsmall = df.sample(n=n, random_state=0)\ntr, te = train_test_split(small)\n",
        [("AP4", 3)],
    ),
    "AP4-cv-of-other-data": (
        "X, y = load_iris(return_X_y=True)\nXa, Xb, ya, yb = train_test_split(X, y)\n"
        "Z, w = make_classification(n_samples=100_000)\nprint(cross_val_score(m, Z, w))\n",
        [("AP4", 2)],
    ),
    "AP5-fit-transform-test": (
        "sc = StandardScaler()\nA = sc.fit_transform(X_train)\nB = sc.fit_transform(X_test)\n",
        [("AP5", 3)],
    ),
    "AP5-model-fit-test": ("model.fit(X_test, y_test)\n", [("AP5", 1)]),
}


@pytest.mark.parametrize(("code", "expected"), FLAGGED.values(), ids=FLAGGED.keys())
def test_rule_fixture_is_flagged(code, expected):
    assert _rules(code) == expected


CLEAN = {
    "loop-over-a-list": "for i in range(len(folds)):\n    print(folds[i])\n",
    "vectorized": "df['z'] = df['a'] + df['b']\nlate = np.where(df.delay > 15, 1, 0)\n",
    "transform-test": "sc = StandardScaler().fit(X_train)\nB = sc.transform(X_test)\n",
    "pipeline-in-cv": "pipe = make_pipeline(StandardScaler(), SVC())\ncross_val_score(pipe, X, y)\n",
    "scale-after-split": (
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "sc = StandardScaler().fit(X_train)\nA = sc.transform(X_train)\nB = sc.transform(X_test)\n"
    ),
    "split-outputs-not-named-train": (
        "a, b, ya, yb = train_test_split(X, y)\nsc = StandardScaler().fit(a)\n"
        "m = SVC().fit(sc.transform(a), ya)\nprint(m.score(sc.transform(b), yb))\n"
    ),
    "pca-for-a-plot": "pca = PCA(2).fit(X)\nZ = pca.transform(X)\nplt.scatter(Z[:, 0], Z[:, 1])\n",
    "cv-folds-named-test": (
        "for C in Cs:\n    for train, test in cv.split(X):\n"
        "        m = SVC(C=C).fit(X[train], y[train])\n        s.append(m.score(X[test], y[test]))\n"
    ),
    "cv-fold-derived-names": (
        "for C in Cs:\n    for fold, (tr, te) in enumerate(KFold(5).split(X)):\n"
        "        X_test_fold, y_test_fold = X.iloc[te], y.iloc[te]\n"
        "        m = SVC(C=C).fit(X.iloc[tr], y.iloc[tr])\n"
        "        s.append(m.score(X_test_fold, y_test_fold))\n"
    ),
    "repeated-seeds": (
        "for seed in range(10):\n"
        "    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=seed)\n"
        "    m = LogisticRegression(random_state=seed).fit(X_tr, y_tr)\n"
        "    scores.append(m.score(X_te, y_te))\n"
    ),
    "learning-curve-on-sizes": (
        "for n in sizes:\n    m = LogisticRegression().fit(X_train[:n], y_train[:n])\n"
        "    scores.append(m.score(X_test, y_test))\n"
    ),
    "final-test-score": "model.fit(X_train, y_train)\nprint(model.score(X_test, y_test))\n",
    "small-data-with-cv": (
        "X, y = load_iris(return_X_y=True)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "print(cross_val_score(m, X_train, y_train).mean())\n"
    ),
    "small-data-cross-validated-before-the-split": (
        "X, y = load_iris(return_X_y=True)\nprint(cross_val_score(m, X, y).mean())\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
    ),
    "small-data-repeated-splits": (
        "X, y = load_iris(return_X_y=True)\nfor seed in range(20):\n"
        "    parts = train_test_split(X, y, random_state=seed)\n"
    ),
    "large-data-single-split": (
        "X, y = make_classification(n_samples=100_000)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
    ),
    "size-unknown": (
        "sample_rows = None\nX, y = task_frame(sample=sample_rows)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
    ),
    "names-that-contain-test-letters": "model.fit(latest, y_contest)\nattest = 1\n",
}


@pytest.mark.parametrize("code", CLEAN.values(), ids=CLEAN.keys())
def test_clean_code_produces_nothing(code):
    assert lint_source(code) == []


# ---------------------------------------------------------------------------------------------
# suppression


@pytest.mark.parametrize(
    "code",
    [
        "for _, row in df.iterrows():  # mlstack-lint: allow AP1\n    t += row.x\n",
        "# mlstack-lint: allow AP1\nfor _, row in df.iterrows():\n    t += row.x\n",
        "x = 1\nfor _, row in df.iterrows():  # mlstack-lint: allow AP5, AP1\n    t += row.x\n",
        "df.apply(\n    f,\n    axis=1,  # mlstack-lint: allow ap1\n)\n",
    ],
    ids=["same-line", "line-above", "several-ids", "inside-a-multiline-call"],
)
def test_allow_comment_silences_the_rule(code):
    assert lint_source(code) == []


def test_allow_comment_names_only_its_rules():
    code = "for _, row in df.iterrows():  # mlstack-lint: allow AP3\n    t += row.x\n"
    assert _rules(code) == [("AP1", 1)]


def test_allow_comment_as_first_line_covers_the_cell_only(tmp_path):
    loop = "for _, row in df.iterrows():\n    t += row.x\n"
    path = _notebook(
        tmp_path / "nb.ipynb",
        [
            ("markdown", "# Title"),
            ("code", "# mlstack-lint: allow AP1\n" + loop),
            ("code", "x = 1\n" + loop),
        ],
    )
    findings = lint_file(path)
    assert [(f.cell, f.line, f.rule) for f in findings] == [(3, 2, "AP1")]


def test_percent_py_file_cells_and_file_lines(tmp_path):
    path = tmp_path / "script.py"
    path.write_text(
        "# %% [markdown]\n# A title\n\n"
        "# %%\n# mlstack-lint: allow AP1\nfor _, r in df.iterrows():\n    pass\n\n"
        "# %%\nfor _, r in df.iterrows():\n    pass\n"
    )
    findings = lint_file(path)
    assert [(f.cell, f.line, f.rule) for f in findings] == [(None, 10, "AP1")]
    assert str(findings[0]).startswith(f"{path}:10:")


def test_first_line_of_a_plain_py_file_covers_the_file():
    code = (
        "# mlstack-lint: allow AP1\nimport pandas as pd\n\nfor _, r in df.iterrows():\n    pass\n"
    )
    assert lint_source(code) == []


# ---------------------------------------------------------------------------------------------
# notebooks


def test_notebook_findings_name_cell_and_line_and_follow_data_across_cells(tmp_path):
    path = _notebook(
        tmp_path / "nb.ipynb",
        [
            ("markdown", "# Title"),
            ("code", "import pandas as pd\n%matplotlib inline\nX = df[cols]"),
            ("code", "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)"),
            ("markdown", "Now split."),
            ("code", "!ls\nX_train, X_test, y_train, y_test = train_test_split(X_scaled, y)"),
        ],
    )
    (finding,) = lint_file(path)
    assert (finding.path, finding.cell, finding.line, finding.rule) == (str(path), 3, 2, "AP3")
    assert str(finding).startswith(f"{path}:cell 3:2:")
    assert "train_test_split" in finding.message


def test_notebook_with_cell_magics_and_help_lines_parses(tmp_path):
    path = _notebook(
        tmp_path / "nb.ipynb",
        [
            ("code", "%%time\nx = df.x.sum()"),
            ("code", "%%bash\necho this is not python {"),
            ("code", "df.describe?\nresult = %timeit -o f()"),
        ],
    )
    assert lint_file(path) == []


def test_the_repository_notebooks_pass():
    assert lint_paths([REPO / "notebooks"]) == []


# ---------------------------------------------------------------------------------------------
# files, directories and bad input


def test_directories_are_searched_and_checkpoints_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    bad = "for _, r in df.iterrows():\n    pass\n"
    (tmp_path / "sub" / "a.py").write_text(bad)
    (tmp_path / ".ipynb_checkpoints" / "b.py").write_text(bad)
    (tmp_path / "notes.txt").write_text(bad)
    assert [p.name for p in iter_lint_files([tmp_path])] == ["a.py"]
    assert [Path(f.path).name for f in lint_paths([tmp_path])] == ["a.py"]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.ipynb", None, "no such file or directory"),
        ("notes.txt", "x", "not a notebook or Python file"),
        ("broken.ipynb", "{not json", "not a readable notebook"),
    ],
    ids=["missing", "wrong-type", "bad-json"],
)
def test_bad_input_raises_input_error(tmp_path, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=match):
        lint_paths([path])


def test_unparsable_cell_is_a_warning_and_the_other_cells_are_linted(tmp_path):
    path = _notebook(
        tmp_path / "nb.ipynb",
        [("code", "x = 1"), ("code", "y = (\n"), ("code", "for _, r in df.iterrows():\n    pass")],
    )
    with pytest.warns(UnparsableCellWarning, match=r"nb.ipynb: cell 2, line 1: cannot parse") as w:
        findings = lint_file(path)
    assert [(f.cell, f.rule) for f in findings] == [(3, "AP1")]
    assert (w[0].message.path, w[0].message.cell, w[0].message.line) == (str(path), 2, 1)


def test_unparsable_script_is_a_warning_naming_its_line(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("x = 1\ndef f(:\n")
    with pytest.warns(UnparsableCellWarning, match=r"bad.py: line 2: cannot parse"):
        assert lint_file(path) == []


def test_format_lint_summarizes():
    findings = [
        LintFinding("a.py", None, 3, 1, "AP1", "loop"),
        LintFinding("a.py", None, 9, 1, "AP1", "x"),
    ]
    text = format_lint(findings)
    assert text.splitlines()[0] == "a.py:3:1: AP1 loop"
    assert "2 problem(s) in 1 file(s) (AP1: 2)" in text
    assert format_lint([], n_files=4) == "no anti-patterns found in 4 file(s)"


# ---------------------------------------------------------------------------------------------
# the command


def test_lint_command_passes_paths_and_exits_1_on_findings(monkeypatch, capsys):
    from mlstack.tools import lint

    calls = []

    def lint_paths(paths):
        calls.append(list(paths))
        return [LintFinding("a.py", None, 1, 1, "AP1", "loop")]

    monkeypatch.setattr(lint, "lint_paths", lint_paths)
    monkeypatch.setattr(lint, "iter_lint_files", lambda paths: iter([Path("a.py")]))
    assert main(["lint", "a.py", "nbs"]) == 1
    assert calls == [["a.py", "nbs"]]
    assert "a.py:1:1: AP1 loop" in capsys.readouterr().out


def test_lint_command_end_to_end(tmp_path, capsys):
    clean = tmp_path / "clean.py"
    clean.write_text("x = df['a'] * 2\n")
    dirty = tmp_path / "dirty.py"
    dirty.write_text("for _, r in df.iterrows():\n    pass\n")
    assert main(["lint", str(clean)]) == 0
    assert main(["lint", str(tmp_path), "--json"]) == 1
    out = capsys.readouterr().out
    payload = json.loads(out[out.index("{") :])
    assert [f["rule"] for f in payload["findings"]] == ["AP1"]
    assert main(["lint", str(tmp_path / "nope.py")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.slow
def test_lint_command_on_a_folder_with_an_unparsable_cell_reports_the_other_files(
    tmp_path, capsys
):
    _notebook(
        tmp_path / "a_broken.ipynb", [("code", "!tool --dir x \\\n  --flag y"), ("code", "y = (")]
    )
    (tmp_path / "b_dirty.py").write_text(
        "X_train_scaled = scaler.fit_transform(X_train)\n"
        "cross_val_score(model, X_train_scaled, y_train)\n"
    )
    assert main(["lint", str(tmp_path), "--json"]) == 1
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert [(Path(f["path"]).name, f["rule"]) for f in payload["findings"]] == [
        ("b_dirty.py", "AP3")
    ]
    assert len(payload["warnings"]) == 1 and "a_broken.ipynb: cell 2, line 1" in captured.err
