"""MODEL_CARD.md: what the model is for, what it is not for, and how it measured."""

from __future__ import annotations

from model import LABEL_TITLES, LABELS


def _metrics_table(metrics: dict[str, dict]) -> str:
    rows = [
        "| label | n | positives | threshold | precision | recall | F1 | Brier | ROC-AUC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        m = metrics[label]
        auc = f"{m['roc_auc']:.3f}" if m.get("roc_auc") is not None else "n/a"
        rows.append(
            f"| {label} | {m['n']} | {m['positives']} | {m['threshold']:.3f} | "
            f"{m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['brier']:.4f} | {auc} |"
        )
    return "\n".join(rows)


def model_card(manifest: dict) -> str:
    metrics = manifest.get("metrics", {})
    sections = [
        f"# Model card: {manifest['name']} {manifest['version']}",
        "## Intended use",
        "Decision support for emergency-call handlers under Right Care, Right Person (RCRP): "
        "while a call note is typed, show calibrated scores for "
        + ", ".join(LABEL_TITLES[label] for label in LABELS)
        + ", with the words that drove them and a suggested route. The handler decides; "
        "the route is advice with its reasons shown.",
        "## Not intended for",
        "- Deciding attendance or closing a call without a handler's judgement.\n"
        "- Judging individuals, predicting offending, or any use outside call handling.\n"
        "- Notes in languages other than English; speech audio; structured CAD codes.",
        "## Model",
        "Word n-grams over context-marked terms (negated, historical and hypothetical cues are "
        "distinct features), character n-grams, and cue-in-context columns from a versioned "
        "lexicon; one logistic regression per label with "
        f"{manifest['calibration']} calibration "
        f"({manifest['training_config']['model']['calibration_folds']}-fold). "
        "Person descriptions (names, titles, ethnicity, nationality, religion, gender, "
        "sexuality, age words and numbers) become one neutral term before features are "
        "built; a child stays a child, and an elderly person stays elderly only where the "
        "note makes age material (docs/identity.md). "
        f"Counterfactual augmentation swapped the person descriptions of "
        f"{manifest.get('augmentation', {}).get('person_swapped_notes', 0)} training notes "
        f"and the relations (a flatmate for a cousin, a husband for a partner) of "
        f"{manifest.get('augmentation', {}).get('relation_swapped_notes', 0)}; "
        f"{manifest.get('augmentation', {}).get('reporter_swapped_notes', 0)} were told by "
        f"another reporter.",
        "## Thresholds",
        "\n".join(
            f"- `{label}`: {manifest['thresholds'][label]:.3f} "
            f"(policy: {manifest['threshold_policy'][label]})"
            for label in LABELS
        ),
        "## Data",
        "\n".join(
            f"- `{name}` sha256 `{digest[:16]}…`"
            for name, digest in manifest.get("data_files", {}).items()
        ),
    ]
    behaviour = manifest.get("behaviour")
    if behaviour:
        rows = "\n".join(
            f"| `{g['gate']}` | {g['measured']:.3f} | {'yes' if g['passed'] else '**no**'} |"
            for g in behaviour["gates"]
            if g["measured"] is not None
        )
        sections += [
            "## Behaviour suite",
            f"`rightcall behave` (seed {behaviour['seed']}, {behaviour['cases']:,} cases) "
            "against the targets of issues 13 and 14 (docs/behaviour.md):\n\n"
            "| gate (target) | measured | met |\n|---|---|---|\n" + rows,
        ]
    for split in ("dev", "test"):
        if split in metrics:
            sections += [f"## Metrics on the {split} split", _metrics_table(metrics[split])]
    sections += [
        "## Limitations",
        "- Trained on synthetic notes written to the labelling guide, not on real calls: "
        "measure it on your own force's labelled calls (`rightcall evaluate`) before use.\n"
        "- A bag of words reads no further than its cues: long narratives, sarcasm, unusual "
        "spellings and cues it has never seen can be missed.\n"
        "- Calibration holds for notes like the training data; a force's own base rates differ "
        "(see `rightcall evaluate --prevalence`).\n"
        "- Missing a threat to life is the worst error: its threshold favours recall, "
        "so expect false alarms on that label.",
    ]
    return "\n\n".join(sections) + "\n"
