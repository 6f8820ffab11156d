"""labeltools: prepare, inspect, weight and score semantic-segmentation label datasets.

Every name below is importable from ``labeltools`` directly; each loads its module on first use,
so ``import labeltools`` stays light (the command line and the heavy formats load only when a
command or a name needs them). Type checkers and editors see the imports under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from labeltools.core.version import __version__

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "AnnotatedImage": "labeltools.core.annotations",
    "AnnotatedObject": "labeltools.core.annotations",
    "Geometry": "labeltools.core.annotations",
    "read_coco": "labeltools.formats.coco",
    "read_cvat": "labeltools.formats.cvat",
    "read_datumaro": "labeltools.formats.datumaro",
    "read_labelstudio": "labeltools.formats.labelstudio",
    "read_cityscapes": "labeltools.formats.cityscapes",
    "read_yolo": "labeltools.formats.yolo",
    "read_isat": "labeltools.formats.isat",
    "rasterise_record": "labeltools.jobs.convert",
    "AnnotationError": "labeltools.core.errors",
    "ClassCounter": "labeltools.ops.counts",
    "ClassCounts": "labeltools.ops.counts",
    "ClassEntry": "labeltools.core.classes",
    "ClassTable": "labeltools.core.classes",
    "ClassTableError": "labeltools.core.errors",
    "ColormapError": "labeltools.core.errors",
    "ColourImageError": "labeltools.core.errors",
    "ConfusionMatrix": "labeltools.ops.metrics",
    "Conversion": "labeltools.jobs.convert",
    "ConvertOptions": "labeltools.jobs.convert",
    "ExportOptions": "labeltools.jobs.export",
    "ExportError": "labeltools.core.errors",
    "ReportOptions": "labeltools.jobs.report",
    "ReportError": "labeltools.core.errors",
    "DatasetCheck": "labeltools.jobs.check",
    "DatasetError": "labeltools.core.errors",
    "DatasetStats": "labeltools.jobs.stats",
    "EvaluationError": "labeltools.core.errors",
    "FileResult": "labeltools.engine.executor",
    "GridRegion": "labeltools.formats.excel",
    "IndexMap": "labeltools.ops.remap",
    "LabelFileError": "labeltools.core.errors",
    "LabelmeDocument": "labeltools.formats.labelme",
    "LabelmeShape": "labeltools.formats.labelme",
    "LabeltoolsError": "labeltools.core.errors",
    "NotLabelmeError": "labeltools.core.errors",
    "Problem": "labeltools.jobs.check",
    "RemapError": "labeltools.core.errors",
    "RemapReport": "labeltools.ops.remap",
    "SCHEMES": "labeltools.core.options",
    "SourceImage": "labeltools.formats.labelme",
    "VOCSegmentation": "labeltools.formats.voc",
    "VOID": "labeltools.core.options",
    "VOID_COLOR": "labeltools.core.colormap",
    "WeightsError": "labeltools.core.errors",
    "WorkbookError": "labeltools.core.errors",
    "add_sbd": "labeltools.jobs.sbd",
    "atomic_write": "labeltools.engine.storage",
    "bar_chart": "labeltools.ops.draw",
    "check_dataset": "labeltools.jobs.check",
    "check_missing_policy": "labeltools.jobs.evaluate",
    "check_sample": "labeltools.jobs.check",
    "check_scheme": "labeltools.ops.counts",
    "class_weights": "labeltools.ops.counts",
    "colorize": "labeltools.core.colormap",
    "colormap_entries": "labeltools.core.classes",
    "confusion_counts": "labeltools.ops.metrics",
    "convert_file": "labeltools.jobs.convert",
    "convert_labelme": "labeltools.jobs.convert",
    "export_dataset": "labeltools.jobs.export",
    "make_report": "labeltools.jobs.report",
    "diff_datasets": "labeltools.jobs.diff",
    "convert_sample": "labeltools.jobs.convert",
    "count_classes": "labeltools.ops.counts",
    "count_label_files": "labeltools.jobs.weights",
    "dataset_class_table": "labeltools.formats.voc",
    "dataset_label_paths": "labeltools.formats.voc",
    "dataset_stats": "labeltools.jobs.stats",
    "default_weights_path": "labeltools.jobs.weights",
    "discover_classes": "labeltools.jobs.convert",
    "evaluate_folders": "labeltools.jobs.evaluate",
    "evaluate_pair": "labeltools.jobs.evaluate",
    "evaluate_pairs": "labeltools.jobs.evaluate",
    "evaluation_pairs": "labeltools.jobs.evaluate",
    "excel_to_label": "labeltools.formats.excel",
    "excel_to_label_file": "labeltools.jobs.excel",
    "histogram_label_file": "labeltools.jobs.weights",
    "histogram_label_files": "labeltools.jobs.weights",
    "id_groups": "labeltools.ops.splits",
    "index_to_index": "labeltools.ops.remap",
    "index_to_index_with_report": "labeltools.ops.remap",
    "index_to_rgb": "labeltools.ops.remap",
    "label_file_to_excel": "labeltools.jobs.excel",
    "label_files_to_excel": "labeltools.jobs.excel",
    "label_files_to_workbook": "labeltools.jobs.excel",
    "label_histogram": "labeltools.formats.labels",
    "label_to_excel": "labeltools.formats.excel",
    "labelme_to_label": "labeltools.formats.labelme",
    "legend_image": "labeltools.ops.draw",
    "map_files": "labeltools.engine.executor",
    "merge_reports": "labeltools.ops.remap",
    "open_source_image": "labeltools.formats.labelme",
    "overlay_image": "labeltools.ops.draw",
    "palette_array": "labeltools.core.colormap",
    "palette_bytes": "labeltools.core.colormap",
    "palette_to_index_with_report": "labeltools.ops.remap",
    "parse_labelme": "labeltools.formats.labelme",
    "plan_grid": "labeltools.formats.excel",
    "read_label": "labeltools.formats.labels",
    "read_label_palette": "labeltools.formats.labels",
    "read_labelme": "labeltools.formats.labelme",
    "read_split": "labeltools.formats.voc",
    "recolor_label_file": "labeltools.jobs.colorize",
    "recolor_label_files": "labeltools.jobs.colorize",
    "remap_files": "labeltools.jobs.remap",
    "resolve_colors": "labeltools.ops.remap",
    "rgb_to_index": "labeltools.ops.remap",
    "rgb_to_index_with_report": "labeltools.ops.remap",
    "save_class_names": "labeltools.formats.voc",
    "save_class_table": "labeltools.formats.voc",
    "save_colormap": "labeltools.jobs.colormap",
    "save_confusion_csv": "labeltools.formats.scores",
    "save_provenance": "labeltools.jobs.weights",
    "save_scores_excel": "labeltools.formats.scores",
    "save_scores_json": "labeltools.formats.scores",
    "save_stats_plot": "labeltools.jobs.stats",
    "save_weights": "labeltools.jobs.weights",
    "select_label_paths": "labeltools.formats.voc",
    "split_ids": "labeltools.ops.splits",
    "stat_label_file": "labeltools.jobs.stats",
    "stat_label_files": "labeltools.jobs.stats",
    "stats_plot": "labeltools.jobs.stats",
    "voc_colormap": "labeltools.core.colormap",
    "weights_provenance": "labeltools.ops.counts",
    "write_gray_label": "labeltools.formats.labels",
    "write_json": "labeltools.formats.labels",
    "write_label": "labeltools.formats.labels",
    "write_label_image": "labeltools.formats.labels",
    "write_split": "labeltools.formats.voc",
}

if TYPE_CHECKING:
    from labeltools.core.annotations import AnnotatedImage as AnnotatedImage
    from labeltools.core.annotations import AnnotatedObject as AnnotatedObject
    from labeltools.core.annotations import Geometry as Geometry
    from labeltools.formats.coco import read_coco as read_coco
    from labeltools.formats.cvat import read_cvat as read_cvat
    from labeltools.formats.datumaro import read_datumaro as read_datumaro
    from labeltools.formats.labelstudio import read_labelstudio as read_labelstudio
    from labeltools.formats.cityscapes import read_cityscapes as read_cityscapes
    from labeltools.formats.yolo import read_yolo as read_yolo
    from labeltools.formats.isat import read_isat as read_isat
    from labeltools.jobs.convert import rasterise_record as rasterise_record
    from labeltools.core.classes import ClassEntry as ClassEntry
    from labeltools.core.classes import ClassTable as ClassTable
    from labeltools.core.classes import colormap_entries as colormap_entries
    from labeltools.core.colormap import VOID_COLOR as VOID_COLOR
    from labeltools.core.colormap import colorize as colorize
    from labeltools.core.colormap import palette_array as palette_array
    from labeltools.core.colormap import palette_bytes as palette_bytes
    from labeltools.core.colormap import voc_colormap as voc_colormap
    from labeltools.core.errors import AnnotationError as AnnotationError
    from labeltools.core.errors import ClassTableError as ClassTableError
    from labeltools.core.errors import ColormapError as ColormapError
    from labeltools.core.errors import ColourImageError as ColourImageError
    from labeltools.core.errors import DatasetError as DatasetError
    from labeltools.core.errors import EvaluationError as EvaluationError
    from labeltools.core.errors import ExportError as ExportError
    from labeltools.core.errors import LabelFileError as LabelFileError
    from labeltools.core.errors import LabeltoolsError as LabeltoolsError
    from labeltools.core.errors import NotLabelmeError as NotLabelmeError
    from labeltools.core.errors import RemapError as RemapError
    from labeltools.core.errors import ReportError as ReportError
    from labeltools.core.errors import WeightsError as WeightsError
    from labeltools.core.errors import WorkbookError as WorkbookError
    from labeltools.core.options import SCHEMES as SCHEMES
    from labeltools.core.options import VOID as VOID
    from labeltools.engine.executor import FileResult as FileResult
    from labeltools.engine.executor import map_files as map_files
    from labeltools.engine.storage import atomic_write as atomic_write
    from labeltools.formats.excel import GridRegion as GridRegion
    from labeltools.formats.excel import excel_to_label as excel_to_label
    from labeltools.formats.excel import label_to_excel as label_to_excel
    from labeltools.formats.excel import plan_grid as plan_grid
    from labeltools.formats.labelme import LabelmeDocument as LabelmeDocument
    from labeltools.formats.labelme import LabelmeShape as LabelmeShape
    from labeltools.formats.labelme import SourceImage as SourceImage
    from labeltools.formats.labelme import labelme_to_label as labelme_to_label
    from labeltools.formats.labelme import open_source_image as open_source_image
    from labeltools.formats.labelme import parse_labelme as parse_labelme
    from labeltools.formats.labelme import read_labelme as read_labelme
    from labeltools.formats.labels import label_histogram as label_histogram
    from labeltools.formats.labels import read_label as read_label
    from labeltools.formats.labels import read_label_palette as read_label_palette
    from labeltools.formats.labels import write_gray_label as write_gray_label
    from labeltools.formats.labels import write_json as write_json
    from labeltools.formats.labels import write_label as write_label
    from labeltools.formats.labels import write_label_image as write_label_image
    from labeltools.formats.scores import save_confusion_csv as save_confusion_csv
    from labeltools.formats.scores import save_scores_excel as save_scores_excel
    from labeltools.formats.scores import save_scores_json as save_scores_json
    from labeltools.formats.voc import VOCSegmentation as VOCSegmentation
    from labeltools.formats.voc import dataset_class_table as dataset_class_table
    from labeltools.formats.voc import dataset_label_paths as dataset_label_paths
    from labeltools.formats.voc import read_split as read_split
    from labeltools.formats.voc import save_class_names as save_class_names
    from labeltools.formats.voc import save_class_table as save_class_table
    from labeltools.formats.voc import select_label_paths as select_label_paths
    from labeltools.formats.voc import write_split as write_split
    from labeltools.jobs.check import DatasetCheck as DatasetCheck
    from labeltools.jobs.check import Problem as Problem
    from labeltools.jobs.check import check_dataset as check_dataset
    from labeltools.jobs.check import check_sample as check_sample
    from labeltools.jobs.colorize import recolor_label_file as recolor_label_file
    from labeltools.jobs.colorize import recolor_label_files as recolor_label_files
    from labeltools.jobs.colormap import save_colormap as save_colormap
    from labeltools.jobs.convert import Conversion as Conversion
    from labeltools.jobs.convert import ConvertOptions as ConvertOptions
    from labeltools.jobs.convert import convert_file as convert_file
    from labeltools.jobs.convert import convert_labelme as convert_labelme
    from labeltools.jobs.convert import convert_sample as convert_sample
    from labeltools.jobs.convert import discover_classes as discover_classes
    from labeltools.jobs.diff import diff_datasets as diff_datasets
    from labeltools.jobs.evaluate import check_missing_policy as check_missing_policy
    from labeltools.jobs.evaluate import evaluate_folders as evaluate_folders
    from labeltools.jobs.evaluate import evaluate_pair as evaluate_pair
    from labeltools.jobs.evaluate import evaluate_pairs as evaluate_pairs
    from labeltools.jobs.evaluate import evaluation_pairs as evaluation_pairs
    from labeltools.jobs.excel import excel_to_label_file as excel_to_label_file
    from labeltools.jobs.excel import label_file_to_excel as label_file_to_excel
    from labeltools.jobs.excel import label_files_to_excel as label_files_to_excel
    from labeltools.jobs.excel import label_files_to_workbook as label_files_to_workbook
    from labeltools.jobs.export import ExportOptions as ExportOptions
    from labeltools.jobs.export import export_dataset as export_dataset
    from labeltools.jobs.remap import remap_files as remap_files
    from labeltools.jobs.report import ReportOptions as ReportOptions
    from labeltools.jobs.report import make_report as make_report
    from labeltools.jobs.sbd import add_sbd as add_sbd
    from labeltools.jobs.stats import DatasetStats as DatasetStats
    from labeltools.jobs.stats import dataset_stats as dataset_stats
    from labeltools.jobs.stats import save_stats_plot as save_stats_plot
    from labeltools.jobs.stats import stat_label_file as stat_label_file
    from labeltools.jobs.stats import stat_label_files as stat_label_files
    from labeltools.jobs.stats import stats_plot as stats_plot
    from labeltools.jobs.weights import count_label_files as count_label_files
    from labeltools.jobs.weights import default_weights_path as default_weights_path
    from labeltools.jobs.weights import histogram_label_file as histogram_label_file
    from labeltools.jobs.weights import histogram_label_files as histogram_label_files
    from labeltools.jobs.weights import save_provenance as save_provenance
    from labeltools.jobs.weights import save_weights as save_weights
    from labeltools.ops.counts import ClassCounter as ClassCounter
    from labeltools.ops.counts import ClassCounts as ClassCounts
    from labeltools.ops.counts import check_scheme as check_scheme
    from labeltools.ops.counts import class_weights as class_weights
    from labeltools.ops.counts import count_classes as count_classes
    from labeltools.ops.counts import weights_provenance as weights_provenance
    from labeltools.ops.draw import bar_chart as bar_chart
    from labeltools.ops.draw import legend_image as legend_image
    from labeltools.ops.draw import overlay_image as overlay_image
    from labeltools.ops.metrics import ConfusionMatrix as ConfusionMatrix
    from labeltools.ops.metrics import confusion_counts as confusion_counts
    from labeltools.ops.remap import IndexMap as IndexMap
    from labeltools.ops.remap import RemapReport as RemapReport
    from labeltools.ops.remap import index_to_index as index_to_index
    from labeltools.ops.remap import (
        index_to_index_with_report as index_to_index_with_report,
    )
    from labeltools.ops.remap import index_to_rgb as index_to_rgb
    from labeltools.ops.remap import merge_reports as merge_reports
    from labeltools.ops.remap import (
        palette_to_index_with_report as palette_to_index_with_report,
    )
    from labeltools.ops.remap import resolve_colors as resolve_colors
    from labeltools.ops.remap import rgb_to_index as rgb_to_index
    from labeltools.ops.remap import (
        rgb_to_index_with_report as rgb_to_index_with_report,
    )
    from labeltools.ops.splits import id_groups as id_groups
    from labeltools.ops.splits import split_ids as split_ids

__all__ = [
    "AnnotatedImage",
    "AnnotatedObject",
    "Geometry",
    "read_coco",
    "read_cvat",
    "read_datumaro",
    "read_labelstudio",
    "read_cityscapes",
    "read_yolo",
    "read_isat",
    "rasterise_record",
    "AnnotationError",
    "ClassCounter",
    "ClassCounts",
    "ClassEntry",
    "ClassTable",
    "ClassTableError",
    "ColormapError",
    "ColourImageError",
    "ConfusionMatrix",
    "Conversion",
    "ConvertOptions",
    "ExportError",
    "ExportOptions",
    "ReportError",
    "ReportOptions",
    "DatasetCheck",
    "DatasetError",
    "DatasetStats",
    "EvaluationError",
    "FileResult",
    "GridRegion",
    "IndexMap",
    "LabelFileError",
    "LabelmeDocument",
    "LabelmeShape",
    "LabeltoolsError",
    "NotLabelmeError",
    "Problem",
    "RemapError",
    "RemapReport",
    "SCHEMES",
    "SourceImage",
    "VOCSegmentation",
    "VOID",
    "VOID_COLOR",
    "WeightsError",
    "WorkbookError",
    "__version__",
    "add_sbd",
    "atomic_write",
    "bar_chart",
    "check_dataset",
    "check_missing_policy",
    "check_sample",
    "check_scheme",
    "class_weights",
    "colorize",
    "colormap_entries",
    "confusion_counts",
    "convert_file",
    "convert_labelme",
    "export_dataset",
    "make_report",
    "diff_datasets",
    "convert_sample",
    "count_classes",
    "count_label_files",
    "dataset_class_table",
    "dataset_label_paths",
    "dataset_stats",
    "default_weights_path",
    "discover_classes",
    "evaluate_folders",
    "evaluate_pair",
    "evaluate_pairs",
    "evaluation_pairs",
    "excel_to_label",
    "excel_to_label_file",
    "histogram_label_file",
    "histogram_label_files",
    "id_groups",
    "index_to_index",
    "index_to_index_with_report",
    "index_to_rgb",
    "label_file_to_excel",
    "label_files_to_excel",
    "label_files_to_workbook",
    "label_histogram",
    "label_to_excel",
    "labelme_to_label",
    "legend_image",
    "map_files",
    "merge_reports",
    "open_source_image",
    "overlay_image",
    "palette_array",
    "palette_bytes",
    "palette_to_index_with_report",
    "parse_labelme",
    "plan_grid",
    "read_label",
    "read_label_palette",
    "read_labelme",
    "read_split",
    "recolor_label_file",
    "recolor_label_files",
    "remap_files",
    "resolve_colors",
    "rgb_to_index",
    "rgb_to_index_with_report",
    "save_class_names",
    "save_class_table",
    "save_colormap",
    "save_confusion_csv",
    "save_provenance",
    "save_scores_excel",
    "save_scores_json",
    "save_stats_plot",
    "save_weights",
    "select_label_paths",
    "split_ids",
    "stat_label_file",
    "stat_label_files",
    "stats_plot",
    "voc_colormap",
    "weights_provenance",
    "write_gray_label",
    "write_json",
    "write_label",
    "write_label_image",
    "write_split",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'labeltools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
