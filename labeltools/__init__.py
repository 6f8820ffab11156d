"""labeltools: prepare, inspect, weight and score semantic-segmentation label datasets."""

from __future__ import annotations

__version__ = "0.1.0"

from labeltools.classes import ClassEntry
from labeltools.classes import ClassTable
from labeltools.classes import colormap_entries
from labeltools.classes import save_colormap
from labeltools.colormap import VOID
from labeltools.colormap import VOID_COLOR
from labeltools.colormap import colorize
from labeltools.colormap import palette_array
from labeltools.colormap import palette_bytes
from labeltools.colormap import voc_colormap
from labeltools.convert import Conversion
from labeltools.convert import ConvertOptions
from labeltools.convert import convert_file
from labeltools.convert import convert_labelme
from labeltools.convert import convert_sample
from labeltools.convert import discover_classes
from labeltools.ops.splits import split_ids
from labeltools.draw import bar_chart
from labeltools.draw import legend_image
from labeltools.draw import overlay_image
from labeltools.errors import AnnotationError
from labeltools.errors import ClassTableError
from labeltools.errors import ColourImageError
from labeltools.errors import ColormapError
from labeltools.errors import DatasetError
from labeltools.errors import EvaluationError
from labeltools.errors import LabelFileError
from labeltools.errors import LabeltoolsError
from labeltools.errors import NotLabelmeError
from labeltools.errors import RemapError
from labeltools.errors import WeightsError
from labeltools.errors import WorkbookError
from labeltools.excel import GridRegion
from labeltools.excel import excel_to_label
from labeltools.excel import excel_to_label_file
from labeltools.excel import label_file_to_excel
from labeltools.excel import label_files_to_excel
from labeltools.excel import label_files_to_workbook
from labeltools.excel import label_to_excel
from labeltools.excel import plan_grid
from labeltools.labelme import LabelmeDocument
from labeltools.labelme import LabelmeShape
from labeltools.labelme import SourceImage
from labeltools.labelme import labelme_to_label
from labeltools.labelme import open_source_image
from labeltools.labelme import parse_labelme
from labeltools.labelme import read_labelme
from labeltools.engine.storage import atomic_write
from labeltools.labelpng import label_histogram
from labeltools.labelpng import read_label
from labeltools.labelpng import read_label_palette
from labeltools.labelpng import recolor_label_file
from labeltools.labelpng import recolor_label_files
from labeltools.labelpng import write_gray_label
from labeltools.labelpng import write_json
from labeltools.labelpng import write_label
from labeltools.labelpng import write_label_image
from labeltools.metrics import ConfusionMatrix
from labeltools.metrics import check_missing_policy
from labeltools.metrics import confusion_counts
from labeltools.metrics import evaluate_folders
from labeltools.metrics import evaluate_pair
from labeltools.metrics import evaluate_pairs
from labeltools.metrics import evaluation_pairs
from labeltools.engine.executor import FileResult
from labeltools.engine.executor import map_files
from labeltools.remap import IndexMap
from labeltools.remap import RemapReport
from labeltools.remap import index_to_index
from labeltools.remap import index_to_index_with_report
from labeltools.remap import index_to_rgb
from labeltools.remap import merge_reports
from labeltools.remap import palette_to_index_with_report
from labeltools.remap import remap_files
from labeltools.remap import resolve_colors
from labeltools.remap import rgb_to_index
from labeltools.remap import rgb_to_index_with_report
from labeltools.stats import DatasetCheck
from labeltools.stats import DatasetStats
from labeltools.stats import Problem
from labeltools.stats import check_dataset
from labeltools.stats import check_sample
from labeltools.stats import dataset_stats
from labeltools.stats import save_stats_plot
from labeltools.stats import stat_label_file
from labeltools.stats import stat_label_files
from labeltools.stats import stats_plot
from labeltools.voc import VOCSegmentation
from labeltools.voc import dataset_class_table
from labeltools.voc import dataset_label_paths
from labeltools.voc import read_split
from labeltools.voc import select_label_paths
from labeltools.voc import write_split
from labeltools.weights import ClassCounter
from labeltools.weights import ClassCounts
from labeltools.weights import SCHEMES
from labeltools.weights import check_scheme
from labeltools.weights import class_weights
from labeltools.weights import count_classes
from labeltools.weights import count_label_files
from labeltools.weights import default_weights_path
from labeltools.weights import histogram_label_file
from labeltools.weights import histogram_label_files
from labeltools.weights import save_provenance
from labeltools.weights import save_weights
from labeltools.weights import weights_provenance

__all__ = [
    "AnnotationError",
    "ClassCounter",
    "ClassCounts",
    "ClassEntry",
    "ClassTable",
    "ClassTableError",
    "ColourImageError",
    "ColormapError",
    "ConfusionMatrix",
    "Conversion",
    "ConvertOptions",
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
    "save_colormap",
    "save_provenance",
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
