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
from labeltools.draw import bar_chart
from labeltools.draw import legend_image
from labeltools.draw import overlay_image
from labeltools.errors import AnnotationError
from labeltools.errors import ClassTableError
from labeltools.errors import ColormapError
from labeltools.errors import DatasetError
from labeltools.errors import EvaluationError
from labeltools.errors import LabelFileError
from labeltools.errors import LabeltoolsError
from labeltools.errors import RemapError
from labeltools.errors import WorkbookError
from labeltools.labelpng import atomic_write
from labeltools.labelpng import label_histogram
from labeltools.labelpng import read_label
from labeltools.labelpng import read_label_palette
from labeltools.labelpng import recolor_label_file
from labeltools.labelpng import recolor_label_files
from labeltools.labelpng import write_gray_label
from labeltools.labelpng import write_json
from labeltools.labelpng import write_label
from labeltools.metrics import ConfusionMatrix
from labeltools.metrics import confusion_counts
from labeltools.metrics import evaluate_folders
from labeltools.metrics import evaluate_pair
from labeltools.metrics import evaluate_pairs
from labeltools.metrics import evaluation_pairs
from labeltools.parallel import FileResult
from labeltools.parallel import map_files
from labeltools.stats import DatasetCheck
from labeltools.stats import DatasetStats
from labeltools.stats import Problem
from labeltools.stats import check_dataset
from labeltools.stats import check_sample
from labeltools.stats import dataset_stats
from labeltools.stats import save_stats_plot
from labeltools.stats import stat_label_file
from labeltools.stats import stat_label_files
from labeltools.stats import stats_label_paths
from labeltools.stats import stats_plot
from labeltools.voc import VOCSegmentation
from labeltools.voc import dataset_class_table
from labeltools.voc import dataset_label_paths
from labeltools.voc import read_split
from labeltools.voc import write_split

__all__ = [
    "AnnotationError",
    "ClassEntry",
    "ClassTable",
    "ClassTableError",
    "ColormapError",
    "ConfusionMatrix",
    "DatasetCheck",
    "DatasetError",
    "DatasetStats",
    "EvaluationError",
    "FileResult",
    "LabelFileError",
    "LabeltoolsError",
    "Problem",
    "RemapError",
    "VOCSegmentation",
    "VOID",
    "VOID_COLOR",
    "WorkbookError",
    "__version__",
    "atomic_write",
    "bar_chart",
    "check_dataset",
    "check_sample",
    "colorize",
    "colormap_entries",
    "confusion_counts",
    "dataset_class_table",
    "dataset_label_paths",
    "dataset_stats",
    "evaluate_folders",
    "evaluate_pair",
    "evaluate_pairs",
    "evaluation_pairs",
    "label_histogram",
    "legend_image",
    "map_files",
    "overlay_image",
    "palette_array",
    "palette_bytes",
    "read_label",
    "read_label_palette",
    "read_split",
    "recolor_label_file",
    "recolor_label_files",
    "save_colormap",
    "save_stats_plot",
    "stat_label_file",
    "stat_label_files",
    "stats_label_paths",
    "stats_plot",
    "voc_colormap",
    "write_gray_label",
    "write_json",
    "write_label",
    "write_split",
]
