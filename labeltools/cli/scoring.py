"""Commands for training and scoring: ``weights``, ``evaluate``."""

from typing import Annotated, Optional

import typer

from labeltools.cli.shared import (
    ClassesOption,
    ConfigOption,
    DaskOption,
    DatasetOrLabelsDirArgument,
    GtClassesOption,
    JobsOption,
    JsonOption,
    LabelsDirOption,
    MissingChoice,
    NumClassesOption,
    SchemeChoice,
    command,
    dataset_and_labels,
    either,
    emit_json,
    exit_for,
    fail,
    out,
    printable,
    report_batch,
    result_table,
    say,
    split_option,
    stop_if_all_failed,
    warn,
    wrote,
)
from labeltools.core.options import (
    EFFECTIVE_BETA,
    ENET_C,
)


@command("weights", rich_help_panel="Train and score")
def weights_command(
    dataset: DatasetOrLabelsDirArgument = None,
    split: Annotated[Optional[str], split_option(" Default: train when present, else every label.")] = None,
    labels_dir: LabelsDirOption = None,
    num_classes: NumClassesOption = None,
    classes: ClassesOption = None,
    config: ConfigOption = None,
    scheme: Annotated[SchemeChoice, typer.Option("--scheme", help="Weighting scheme.")] = SchemeChoice("enet"),
    c: Annotated[Optional[float], typer.Option("--enet-c", help=f"enet's constant c > 1: w = 1 / ln(c + p). [default: {ENET_C}]")] = None,
    c_alias: Annotated[Optional[float], typer.Option("--c", hidden=True)] = None,
    beta: Annotated[
        float,
        typer.Option("--beta", help="effective's constant, 0 < beta < 1: w ~ (1 - beta) / (1 - beta**n)."),
    ] = EFFECTIVE_BETA,
    name: Annotated[
        Optional[str],
        typer.Option(
            "--name",
            help="Default output is DATASET/<name>_classes_weights.npy (enet; other schemes add _<scheme>); name defaults to DATASET's folder name.",
        ),
    ] = None,
    output: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Write the weights (.npy, float64, shape (C,)) to FILE.")
    ] = None,
    json_path: JsonOption = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail on label values that are neither a class nor 255, instead of reporting them."),
    ] = False,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Count class pixels over a dataset once and save per-class loss weights as .npy.

    The default file, DATASET/<name>_classes_weights.npy, is where pytorch-deeplab-xception looks
    (its enet weights); another --scheme writes DATASET/<name>_classes_weights_<scheme>.npy, so
    that no scheme replaces another's file. mmsegmentation takes it as class_weight='....npy'
    (its release 1.2.2's loss then fails on void: the README's "labeltools weights" section has
    one that does not). Pixels of value 255 are void and never counted.

    A class table with train ids (-c cityscapes, Cityscapes' labelIds) is counted by them: one
    weight per train id, the classes without one void. DATASET may be a Cityscapes gtFine
    folder (gtFine/train, a folder per city): its *_labelTrainIds.png maps are counted, else its
    *_labelIds.png maps as their train ids, and the weights go to
    <cityscapes>/cityscapes_classes_weights.npy beside gtFine, where pytorch-deeplab-xception
    looks. DATASET may be a Hugging Face dataset (a repository's folder as downloaded, a Parquet
    file, a save_to_disk folder): its train split's label maps are read where they are, by its
    id2label.json, and the weights go beside it.

    Examples:
    labeltools weights dataset
    labeltools weights dataset --scheme median --json weights.json
    labeltools weights --labels-dir masks/ -n 9 -o weights.npy
    labeltools weights gtFine/ -o cityscapes_classes_weights.npy
    labeltools weights hub/
    """
    from labeltools.formats.voc import TEST_SPLIT, split_path
    from labeltools.jobs.hub_labels import items_noun
    from labeltools.jobs.weights import weigh_dataset
    c = either(c, c_alias, "--enet-c", "--c")
    c = ENET_C if c is None else c
    if not c > 1:  # usage mistakes exit 2, before any file is read
        raise typer.BadParameter(f"must be above 1 (ln(c + p) must be positive), got {c}", param_hint="--enet-c")
    if not 0 < beta < 1:
        raise typer.BadParameter(f"must lie strictly between 0 and 1, got {beta}", param_hint="--beta")
    root, labels_dir = dataset_and_labels(dataset, labels_dir)
    weighing = weigh_dataset(
        root, split=split, labels_dir=labels_dir, num_classes=num_classes,
        scheme=scheme.value, c=c, beta=beta, strict=strict, output=output, name=name, jobs=jobs, classes=classes, config=config,
    )  # fmt: skip
    if weighing.labels_from:
        say(f"labels: {weighing.labels_from}")
    say(f"classes: {weighing.table.num_classes}, from {weighing.classes_from}")
    if weighing.held_out:
        say(f"{split_path(weighing.root, TEST_SPLIT)}: its {len(weighing.held_out)} id(s) not counted (held out for the test)")
    summary = report_batch(weighing, len(weighing), "counting", verb="counted")
    counts, weights = weighing.counts, weighing.weights
    if summary.failed or counts is None or weights is None:
        fail(f"no weights written: {summary.failed} of {len(weighing)} {items_noun(weighing.items)} failed")
    message = counts.out_of_range_message(weighing.table.palette())
    if message:
        warn(f"{message} (--strict makes this an error)")
    grid = result_table(
        f"{weighing.scheme} class weights ({counts.num_images} images, {counts.total} labelled pixels)",
        ("index", "name", "pixels", "share", "weight"),
    )
    for i, (name_, pixels, share, weight) in enumerate(zip(weighing.names, counts.pixels, counts.frequencies, weights)):
        grid.add_row(str(i), name_, str(pixels), f"{share:.2%}", f"{weight:.6g}")
    out.print(grid)
    wrote(str(weighing.target))
    if json_path is not None:
        emit_json(json_path, weighing.provenance())


def _score_percent(value: Optional[float]) -> str:
    return "absent" if value is None else f"{value * 100:.2f}"


@command("evaluate", rich_help_panel="Train and score")
def evaluate_command(
    gt: Annotated[str, typer.Argument(help="Ground truth: a folder of label PNGs, a VOC folder, a Cityscapes gtFine folder, or a Hugging Face dataset (its rows; predictions named as convert names their images).")],
    pred: Annotated[str, typer.Argument(help="Predictions: label PNGs named like the ground truth, or in a folder of no PNG the .npy arrays of np.save(path, argmax) (of a Cityscapes frame: named by the frame, in any sub-folder).")],
    num_classes: NumClassesOption = None,
    split: Annotated[
        Optional[str],
        split_option(" Default: the split whose ids the predictions are, when they are one split's alone, else every label."),
    ] = None,
    missing: Annotated[
        MissingChoice, typer.Option("--missing", help="A missing prediction is an error, or the image is skipped.")
    ] = MissingChoice("error"),
    ignore_index: Annotated[
        int, typer.Option("--ignore-index", min=0, max=255, help="Ground-truth value that is not scored (0..255).")
    ] = 255,
    classes: ClassesOption = None,
    gt_classes: GtClassesOption = None,
    config: ConfigOption = None,
    json_path: JsonOption = None,
    csv_path: Annotated[
        Optional[str], typer.Option("--csv", help="Write the confusion matrix as CSV to FILE.")
    ] = None,
    excel_path: Annotated[
        Optional[str],
        typer.Option("--excel", help="Write a workbook (scores, shaded confusion matrix) to FILE.xlsx."),
    ] = None,
    jobs: JobsOption = 0,
    dask: DaskOption = None,
) -> None:
    """Score predictions against ground truth: per-class IoU and Dice, mIoU, accuracies.

    The classes are --classes, else the ground truth's own class table, else 0..N-1 of
    --num-classes (which must agree with a table). Only pixels whose ground truth is not 255 count. Classes absent from both ground truth and
    predictions are left out of the means and listed.

    A table with train ids (-c cityscapes, Cityscapes' labelIds; -c ade20k, ADE20K's labels as
    shipped, 0 other) is scored by them, as cityscapesScripts and mmsegmentation score: ground
    truth of a class without one is void, and predicting one is wrong. Predictions of train ids
    (-c ade20k-train, 0..149) against ground truth of label ids: add --gt-classes ade20k.

    A Cityscapes gtFine folder (gtFine/val: a folder per city) is read as cityscapesScripts
    reads it: its *_labelIds.png maps, or its *_labelTrainIds.png maps for predictions of train
    ids (-c cityscapes-train), each frame's prediction found by name
    (frankfurt_000000_000294_leftImg8bit.png) in any sub-folder of PRED.

    Examples:
    labeltools evaluate dataset preds/ --split val --json scores.json
    labeltools evaluate gt/ pred/ -c cityscapes-train --excel scores.xlsx
    labeltools evaluate dataset preds/ --missing skip --csv confusion.csv
    labeltools evaluate dataset arrays/
    labeltools evaluate gtFine/ results/
    labeltools evaluate ade/gt ade/argmax -c ade20k-train --gt-classes ade20k
    """
    from labeltools.formats.scores import CONFUSION_CSV, SCORES_WORKBOOK, save_confusion_csv, save_scores_excel
    from labeltools.core.classes import is_unused
    from labeltools.core.files import require_suffix
    from labeltools.jobs.evaluate import evaluate_dataset
    for path, ending in ((csv_path, CONFUSION_CSV), (excel_path, SCORES_WORKBOOK)):  # before any file is read
        if path is not None:
            require_suffix(path, *ending)
    evaluation = evaluate_dataset(gt, pred, num_classes, split, missing.value, ignore_index, classes, jobs, gt_classes, config)
    if evaluation.ground_truth:
        say(f"ground truth: {evaluation.ground_truth}")
    say(f"classes: {evaluation.matrix.scored}, from {evaluation.classes_from}")
    summary = report_batch(evaluation, len(evaluation), "evaluate", verb="scored")
    stop_if_all_failed(summary, "score", "image(s)")
    cm, names, scores = evaluation.matrix, evaluation.names, evaluation.scores()
    grid = result_table(
        f"{cm.images} image(s), {cm.total} pixels scored ({ignore_index} not scored)",
        ("index", "name", "IoU %", "Dice %", "accuracy %", "GT pixels", "predicted pixels"),
    )
    for row in scores["classes"]:
        accuracy = "-" if row["accuracy"] is None and not row["absent"] else _score_percent(row["accuracy"])
        grid.add_row(
            str(row["index"]), row["name"], _score_percent(row["iou"]), _score_percent(row["dice"]), accuracy,
            str(row["gt_pixels"]), str(row["pred_pixels"]), style="dim" if row["absent"] else None,
        )  # fmt: skip
    out.print(grid)
    for key, label in (
        ("mean_iou", "mIoU"),
        ("pixel_accuracy", "pixel accuracy"),
        ("mean_class_accuracy", "mean class accuracy"),
        ("frequency_weighted_iou", "frequency-weighted IoU"),
        ("mean_dice", "mean Dice/F1"),
    ):
        out.print(f"{label:>24}: {scores[key] * 100:.2f}")
    for other in scores.get("not_scored", ()):
        out.print(f"predicted as {printable(other['name'])} (wrong wherever it is): {other['pred_pixels']} pixels", soft_wrap=True)
    absent = [a for a in scores["absent_classes"] if not is_unused(a["index"], a["name"])]  # placeholders are no class
    out.print(
        "absent from ground truth and predictions (left out of the means): "
        + printable(", ".join(f"{a['index']} {a['name']}" for a in absent) if absent else "none"),
        soft_wrap=True,
    )
    if json_path is not None:
        emit_json(json_path, {**scores, "failed": summary.failed, "failures": summary.failure_list()})
    for path, save in ((csv_path, save_confusion_csv), (excel_path, save_scores_excel)):
        if path is not None:
            save(path, cm, names)
            wrote(path)
    exit_for(summary)

