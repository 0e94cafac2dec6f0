"""Intent quality of the Rasa NLU model, per language: cross-validation and a held-out set.

For each language (th, en) this

1. runs ``rasa test nlu --cross-validation --folds K`` on ``bot/data/nlu/<lang>`` plus the
   lookup tables in ``bot/data/nlu/lookups`` (stratified folds; each fold trains a model), and
2. trains one NLU model on all the training data (both languages and the lookups, as the
   bot is trained) and tests it on the held-out paraphrases ``tests/data/nlu_heldout/<lang>.yml``,
   which are never trained on.

It reads Rasa's ``intent_report.json`` (and the entity / response-selection reports when
present) and prints JSON: per language the intent macro and weighted F1 and accuracy for
cross-validation and for the held-out set, the five worst intents with what they were
confused with, and entity F1. ``rasa test`` scores DIET's top intent even when the
FallbackClassifier would have answered ``nlu_fallback``; so each section also reports
``below_fallback_threshold`` (share of messages whose top confidence is under the config's
FallbackClassifier threshold, so the bot would fall back; ambiguity fallbacks are not
counted) and ``accuracy_with_fallback`` (correct and confident enough to be acted on).

    python benchmarks/nlu_crossval.py                       # real config.yml, 5 folds
    python benchmarks/nlu_crossval.py --epochs 20           # faster: DIET/ResponseSelector epochs in a temp
                                                            # config copy; intent figures do not change (the
                                                            # LinearIntentClassifier has no epochs), entity and
                                                            # response-selection figures do
    python benchmarks/nlu_crossval.py --intent-only --runs 5 --baseline
        # intent figures only, as the median of 5 differently seeded fold splits, next to Rasa's
        # stock LogisticRegressionClassifier on the same splits (about 37 minutes)
    python benchmarks/nlu_crossval.py --skip-crossval       # only the held-out evaluation
    python benchmarks/nlu_crossval.py --response-selector   # add a ResponseSelector if the config has none
    python benchmarks/nlu_crossval.py --work-dir /tmp/nlu-run --output /tmp/nlu-run.json
        # keeps reports in /tmp/nlu-run; rerunning the same command resumes after an interruption
        # (use a fresh directory once the training data has changed)

``--runs N`` repeats cross-validation with fold splits seeded 1..N and reports the median,
minimum and maximum intent macro F1 (one split is one draw: the spread between splits is about
+-0.01). ``--intent-only`` drops the components that come after the intent classifier and
cannot change its prediction (DIET with ``intent_classification: false``, the ResponseSelector),
so each fold trains in seconds instead of minutes. ``--baseline`` runs the same seeded splits with
Rasa's stock ``LogisticRegressionClassifier`` in place of ours and reports the ratio.

Runs with any Python 3 that has PyYAML; Rasa itself runs from .venv-rasa. Everything is
written to a temporary directory (kept with --keep). Budget: each fold trains a model
(about 3 min on 2 cores with the real config, most of it DIET learning entities), so the default
run trains 2 x 5 + 1 models: about 40 minutes; with --epochs 20 about 20.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "bot" / "data" / "nlu"
LOOKUP_DIR = NLU_DIR / "lookups"
HELDOUT_DIR = ROOT / "tests" / "data" / "nlu_heldout"
DOMAIN_DIR = ROOT / "bot" / "domain"
AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHAINLP_OFFLINE", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    return env


def run(command: list[str], log: Path) -> None:
    """Run a Rasa command from the repository root, logging its output to ``log``."""
    print(f">> {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as handle:
        result = subprocess.run(command, cwd=ROOT, env=rasa_env(), stdout=handle, stderr=subprocess.STDOUT, check=False)
    print(f"   done in {time.monotonic() - started:.0f} s (log: {log})", file=sys.stderr, flush=True)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        raise SystemExit(f"command failed (exit {result.returncode}): {' '.join(command)}\n" + "\n".join(tail))


INTENT_CLASSIFIER = "nlu.rasa_intent_classifier.LinearIntentClassifier"
BASELINE_CLASSIFIER = "LogisticRegressionClassifier"
AFTER_INTENT = {"DIETClassifier", "ResponseSelector"}

# `rasa` with numpy's global generator seeded first: Rasa's cross-validation draws its
# stratified folds from it, so one seed gives the same folds to every config.
SEEDED_RASA = (
    "import sys, numpy; numpy.random.seed(int(sys.argv[1])); sys.argv = ['rasa', *sys.argv[2:]]; "
    "from rasa.__main__ import main; main()"
)


def write_config(
    source: Path,
    target: Path,
    epochs: int | None,
    response_selector: bool,
    intent_only: bool = False,
    baseline: bool = False,
) -> None:
    """Copy the config, optionally with fewer DIET epochs, a ResponseSelector added, only
    what decides the intent, or Rasa's stock classifier in place of ours."""
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    pipeline: list[dict[str, Any]] = config["pipeline"]
    if intent_only:
        for component in pipeline:
            if component.get("name") == "DIETClassifier" and component.get("intent_classification", True):
                raise SystemExit("--intent-only needs DIETClassifier with intent_classification: false")
        pipeline[:] = [component for component in pipeline if component.get("name") not in AFTER_INTENT]
    if baseline:
        names = [component.get("name") for component in pipeline]
        if INTENT_CLASSIFIER not in names:
            raise SystemExit(f"--baseline replaces {INTENT_CLASSIFIER}, which the config does not use")
        pipeline[names.index(INTENT_CLASSIFIER)] = {"name": BASELINE_CLASSIFIER}
    names = [component.get("name") for component in pipeline]
    if response_selector and "ResponseSelector" not in names:
        position = names.index("EntitySynonymMapper") + 1 if "EntitySynonymMapper" in names else len(pipeline)
        pipeline.insert(position, {"name": "ResponseSelector", "epochs": 100, "random_seed": 42})
    if epochs is not None:
        for component in pipeline:
            if component.get("name") in {"DIETClassifier", "ResponseSelector"}:
                component["epochs"] = epochs
    config.pop("policies", None)  # NLU only
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def stage_data(target: Path, languages: list[str]) -> int:
    """Copy the training files of ``languages`` and the lookup tables into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for folder in [*(NLU_DIR / lang for lang in languages), LOOKUP_DIR]:
        for path in sorted(folder.glob("*.yml")):
            shutil.copy(path, target / f"{folder.name}_{path.name}")
            if folder != LOOKUP_DIR:
                count += count_examples(path)
    return count


def count_examples(path: Path) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return sum(
        sum(1 for line in str(item.get("examples", "")).splitlines() if line.strip().startswith("- "))
        for item in data.get("nlu", [])
        if "intent" in item
    )


def summarise_report(path: Path, worst: int = 5) -> dict[str, Any]:
    """Macro/weighted F1, accuracy and the worst labels of a Rasa classification report."""
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    labels = {name: value for name, value in report.items() if name not in AVERAGES and isinstance(value, dict)}
    ranked = sorted(labels.items(), key=lambda item: (item[1].get("f1-score", 0.0), item[0]))
    accuracy = report.get("accuracy")
    if accuracy is None and "micro avg" in report:  # sklearn reports micro avg when labels are a subset
        accuracy = report["micro avg"].get("f1-score")
    return {
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "accuracy": round(accuracy, 4) if accuracy is not None else None,
        "support": int(report["weighted avg"].get("support", 0)),
        "worst": [
            {
                "label": name,
                "f1": round(values.get("f1-score", 0.0), 4),
                "precision": round(values.get("precision", 0.0), 4),
                "recall": round(values.get("recall", 0.0), 4),
                "support": int(values.get("support", 0)),
                "confused_with": values.get("confused_with", {}),
            }
            for name, values in ranked[:worst]
        ],
    }


def summarise_entities(folder: Path) -> dict[str, Any] | None:
    path = folder / "DIETClassifier_report.json"
    if not path.exists():
        return None
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    per_entity = {
        name: {"f1": round(values["f1-score"], 4), "support": int(values["support"])}
        for name, values in sorted(report.items())
        if name not in AVERAGES and isinstance(values, dict) and name != "no_entity"
    }
    summary: dict[str, Any] = {"per_entity": per_entity}
    for key in ("macro avg", "micro avg"):
        if key in report:
            summary[key.replace(" avg", "_f1")] = round(report[key]["f1-score"], 4)
    return summary


def fallback_threshold(config: Path) -> float | None:
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline", [])
    for component in pipeline:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return None


def fallback_figures(folder: Path, threshold: float | None) -> dict[str, float]:
    """Share of predictions under the fallback threshold, and accuracy counting those as misses."""
    rows: list[tuple[bool, float]] = []
    for name, correct in (("intent_successes.json", True), ("intent_errors.json", False)):
        path = folder / name
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                rows.append((correct, float(row["intent_prediction"]["confidence"] or 0.0)))
    if threshold is None or not rows:
        return {}
    below = sum(1 for _, confidence in rows if confidence < threshold)
    confident_correct = sum(1 for correct, confidence in rows if correct and confidence >= threshold)
    return {
        "fallback_threshold": threshold,
        "below_fallback_threshold": round(below / len(rows), 4),
        "accuracy_with_fallback": round(confident_correct / len(rows), 4),
    }


def summarise_folder(folder: Path, threshold: float | None = None) -> dict[str, Any]:
    intent = summarise_report(folder / "intent_report.json")
    result: dict[str, Any] = {
        "intent_macro_f1": intent["macro_f1"],
        "intent_weighted_f1": intent["weighted_f1"],
        "intent_accuracy": intent["accuracy"],
        "examples": intent["support"],
        **fallback_figures(folder, threshold),
        "worst_intents": intent["worst"],
    }
    entities = summarise_entities(folder)
    if entities:
        result["entities"] = entities
    selection = folder / "response_selection_report.json"
    if selection.exists():
        responses = summarise_report(selection, worst=3)
        result["response_selection"] = {
            "macro_f1": responses["macro_f1"],
            "accuracy": responses["accuracy"],
            "worst": [{k: r[k] for k in ("label", "f1", "support")} for r in responses["worst"]],
        }
    return result


def summarise_runs(folders: dict[int, Path], threshold: float | None) -> dict[str, Any]:
    """Median over seeded splits; details (worst intents, entities) from the median split."""
    runs = {seed: summarise_folder(folder, threshold) for seed, folder in folders.items()}
    scores = {seed: run["intent_macro_f1"] for seed, run in runs.items()}
    middle = median(list(scores.values()))
    closest = min(scores, key=lambda seed: (abs(scores[seed] - middle), seed))
    return {
        "intent_macro_f1_median": round(middle, 4),
        "intent_macro_f1_min": min(scores.values()),
        "intent_macro_f1_max": max(scores.values()),
        "intent_accuracy_median": round(median([run["intent_accuracy"] or 0.0 for run in runs.values()]), 4),
        "runs": {
            str(seed): {k: run.get(k) for k in ("intent_macro_f1", "intent_accuracy", "below_fallback_threshold")}
            for seed, run in runs.items()
        },
        "median_split": {"seed": closest, **runs[closest]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--rasa", default=str(ROOT / ".venv-rasa" / "bin" / "rasa"))
    parser.add_argument("--languages", nargs="+", default=["th", "en"], choices=["th", "en"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--epochs", type=int, default=None, help="override DIET and ResponseSelector epochs (temp config copy)"
    )
    parser.add_argument("--runs", type=int, default=1, help="cross-validate N times, splits seeded 1..N")
    parser.add_argument(
        "--intent-only", action="store_true", help="drop DIET and the ResponseSelector (no entity figures)"
    )
    parser.add_argument(
        "--baseline", action="store_true", help=f"also run Rasa's {BASELINE_CLASSIFIER} on the same splits"
    )
    parser.add_argument("--skip-crossval", action="store_true", help="only evaluate the held-out set")
    parser.add_argument("--skip-heldout", action="store_true", help="only run cross-validation")
    parser.add_argument("--response-selector", action="store_true", help="add a ResponseSelector if missing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="use (and keep) this directory; stages whose reports are already there are not rerun, "
        "so an interrupted run resumes where it stopped",
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here (updated after each stage)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    keep = args.keep or args.work_dir is not None
    if args.work_dir is not None:
        work = args.work_dir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
    config = work / "config.yml"
    write_config(args.config, config, args.epochs, args.response_selector, args.intent_only)
    configs = {"ours": config}
    if args.baseline:
        configs["baseline"] = work / "config-baseline.yml"
        write_config(args.config, configs["baseline"], args.epochs, args.response_selector, args.intent_only, True)
    threshold = fallback_threshold(config)
    python = str(Path(args.rasa).with_name("python"))
    report: dict[str, Any] = {
        "config": str(args.config.relative_to(ROOT) if args.config.is_relative_to(ROOT) else args.config),
        "diet_epochs_override": args.epochs,
        "response_selector_added": args.response_selector,
        "folds": None if args.skip_crossval else args.folds,
        "runs": None if args.skip_crossval else args.runs,
        "intent_only": args.intent_only,
        "baseline": BASELINE_CLASSIFIER if args.baseline else None,
        "languages": {},
    }

    def save() -> None:
        report["seconds"] = round(time.monotonic() - started)
        if keep:
            report["work_dir"] = str(work)
        if args.output:
            args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    try:
        model: Path | None = None
        if not args.skip_heldout:
            all_data = work / "data-all"
            report["training_examples_all"] = stage_data(all_data, ["th", "en"])
            model = work / "model" / "nlu-all.tar.gz"
            if not model.exists():
                run(
                    [
                        args.rasa, "train", "nlu", "--config", str(config), "--nlu", str(all_data),
                        "--domain", str(DOMAIN_DIR), "--out", str(work / "model"), "--fixed-model-name", "nlu-all",
                    ],
                    work / "train-all.log",
                )  # fmt: skip
        for lang in args.languages:
            result: dict[str, Any] = report["languages"].setdefault(lang, {})
            if not args.skip_crossval:
                data = work / f"data-{lang}"
                result["training_examples"] = stage_data(data, [lang])
                for name, cv_config in configs.items():
                    folders: dict[int, Path] = {}
                    for seed in range(1, args.runs + 1):
                        out = folders[seed] = work / f"cv-{lang}-{name}-seed{seed}"
                        if not (out / "intent_report.json").exists():
                            run(
                                [
                                    python, "-c", SEEDED_RASA, str(seed), "test", "nlu", "--nlu", str(data),
                                    "--config", str(cv_config), "--cross-validation", "--folds", str(args.folds),
                                    "--out", str(out), "--no-plot", "--successes",
                                ],
                                work / f"cv-{lang}-{name}-seed{seed}.log",
                            )  # fmt: skip
                    result["crossval" if name == "ours" else "crossval_baseline"] = summarise_runs(folders, threshold)
                    save()
                if args.baseline:
                    ours = result["crossval"]["intent_macro_f1_median"]
                    base = result["crossval_baseline"]["intent_macro_f1_median"]
                    result["crossval_ratio_vs_baseline"] = round(ours / base, 3) if base else None
                    save()
            if model is not None:
                heldout = HELDOUT_DIR / f"{lang}.yml"
                out = work / f"heldout-{lang}"
                if not (out / "intent_report.json").exists():
                    run(
                        [
                            args.rasa, "test", "nlu", "--nlu", str(heldout), "--model", str(model),
                            "--out", str(out), "--no-plot", "--successes",
                        ],
                        work / f"heldout-{lang}.log",
                    )  # fmt: skip
                result["heldout"] = summarise_folder(out, threshold)
                save()
    finally:
        save()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
