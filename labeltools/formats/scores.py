"""Scores files: a confusion matrix and its scores as JSON, as CSV and as a shaded workbook.

Text cells (class names) are written as text, never as formulas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from labeltools.core._types import PathLike
from labeltools.core.cells import csv_document, keep_sheet_text
from labeltools.core.classes import class_names_for
from labeltools.core.files import require_suffix
from labeltools.engine.storage import atomic_write
from labeltools.formats.labels import write_json

if TYPE_CHECKING:
    from labeltools.ops.metrics import ConfusionMatrix


def save_scores_json(path: PathLike, cm: ConfusionMatrix, class_names: Sequence[str] | None = None) -> None:
    """Write ``cm.to_dict(class_names)`` as JSON, atomically."""
    write_json(path, cm.to_dict(class_names))


#: The ending of each file of scores, and what it holds (see :func:`~labeltools.core.files.require_suffix`).
CONFUSION_CSV = (".csv", "the confusion matrix")
SCORES_WORKBOOK = (".xlsx", "a workbook")


def save_confusion_csv(path: PathLike, cm: ConfusionMatrix, class_names: Sequence[str] | None = None) -> None:
    """Write the confusion matrix as CSV (a header row of predicted classes, one row per
    ground-truth class), atomically.

    Raises:
        OutputError: ``path`` does not end in ``.csv``.
    """
    require_suffix(path, *CONFUSION_CSV)
    names = class_names_for(cm.num_classes, class_names)
    rows: list[list[Any]] = [["ground truth \\ prediction", *names]]
    rows += [[name, *row] for name, row in zip(names, cm.matrix.tolist())]
    with atomic_write(path) as tmp:
        tmp.write_text(csv_document(rows), encoding="utf-8")


def save_scores_excel(path: PathLike, cm: ConfusionMatrix, class_names: Sequence[str] | None = None) -> None:
    """Write a workbook: the per-class scores and means, and the confusion matrix shaded by each
    row's share. Atomic.

    Raises:
        OutputError: ``path`` does not end in ``.xlsx``.
    """
    require_suffix(path, *SCORES_WORKBOOK)
    names = class_names_for(cm.num_classes, class_names)
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    summary = cm.to_dict(names)
    book = Workbook()
    scores = book.active
    scores.title = "Scores"
    bold = Font(bold=True)
    for key in ("mean_iou", "pixel_accuracy", "mean_class_accuracy", "frequency_weighted_iou", "mean_dice"):
        scores.append([key.replace("_", " "), summary[key]])
    scores.append(["images", summary["images"]])
    scores.append(["pixels", summary["pixels"]])
    scores.append([])
    header = ["index", "name", "IoU", "Dice/F1", "accuracy", "GT pixels", "predicted pixels", "note"]
    scores.append(header)
    for cell in scores[scores.max_row]:
        cell.font = bold
    for row in summary["classes"]:
        note = "absent: left out of the means" if row["absent"] else ""
        scores.append(
            [row["index"], row["name"], row["iou"], row["dice"], row["accuracy"], row["gt_pixels"],
             row["pred_pixels"], note]
        )  # fmt: skip
    scores.column_dimensions["A"].width = 24
    scores.column_dimensions["B"].width = 20

    sheet = book.create_sheet("Confusion matrix")
    sheet.append(["ground truth \\ prediction", *names])
    for cell in sheet[1]:
        cell.font = bold
    matrix = cm.matrix
    rows = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    for i, (name, counts) in enumerate(zip(names, matrix.tolist())):
        sheet.append([name, *counts])
        sheet.cell(row=i + 2, column=1).font = bold
        for j, share in enumerate(shares[i]):
            level = int(round(255 - 200 * share))  # white -> deep blue with the row's share
            color = f"{level:02X}{level:02X}FF"
            cell = sheet.cell(row=i + 2, column=j + 2)
            cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
            if share > 0.6:
                cell.font = Font(color="FFFFFF", bold=i == j)
            elif i == j:
                cell.font = bold
    sheet.column_dimensions["A"].width = 26
    for page in (scores, sheet):
        keep_sheet_text(page)
    with atomic_write(path) as tmp:
        book.save(tmp)
