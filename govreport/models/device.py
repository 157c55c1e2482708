"""ONNX Runtime sessions: which execution provider ("auto" | "cpu" | "cuda"), how many threads, one session
per (model, device, threads) per process."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govreport.errors import MissingDependencyError

if TYPE_CHECKING:  # onnxruntime is imported lazily: importing it costs a few hundred milliseconds
    import onnxruntime

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"

# Crop widths vary, so cuDNN's exhaustive per-shape search would run again for every new shape.
_CUDA_OPTIONS: dict[str, Any] = {"cudnn_conv_algo_search": "HEURISTIC", "do_copy_in_default_stream": True}


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError("OCR", "onnxruntime", "pip install onnxruntime (or onnxruntime-gpu)") from exc
    return onnxruntime


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    return device


def cuda_available() -> bool:
    """Whether the installed onnxruntime offers the CUDA execution provider (onnxruntime-gpu)."""
    return CUDA in _ort().get_available_providers()


def providers_for(device: str) -> list[str | tuple[str, dict[str, Any]]]:
    """Execution providers for a device choice; CUDA first when requested ("auto"/"cuda") and present."""
    check_device(device)
    if device == "cpu":
        return [CPU]
    if cuda_available():
        return [(CUDA, dict(_CUDA_OPTIONS)), CPU]
    if device == "cuda":
        log.warning("device 'cuda' requested but onnxruntime has no CUDAExecutionProvider "
                    "(install onnxruntime-gpu); running on CPU")
    return [CPU]


def session_options(threads: int = 0) -> onnxruntime.SessionOptions:
    """Session options; ``threads`` = intra-op threads, 0 lets ONNX Runtime pick (one per core)."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0, not {threads}")
    ort = _ort()
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    opts.enable_mem_pattern = False  # input shapes vary from batch to batch
    return opts


@functools.lru_cache(maxsize=16)
def _cached_session(path: str, device: str, threads: int) -> onnxruntime.InferenceSession:
    ort = _ort()
    session = ort.InferenceSession(path, sess_options=session_options(threads), providers=providers_for(device))
    if device != "cpu" and cuda_available() and session.get_providers()[0] != CUDA:
        log.warning("CUDA provider could not be initialised for %s; running on %s", path, session.get_providers())
    return session


def make_session(path: str | Path, device: str = "auto", threads: int = 0) -> onnxruntime.InferenceSession:
    """An ONNX Runtime session for a model file, created once per (file, device, threads) in this process."""
    check_device(device)
    if threads < 0:
        raise ValueError(f"threads must be >= 0, not {threads}")
    return _cached_session(str(Path(path).resolve()), device, threads)


def active_provider(session: onnxruntime.InferenceSession) -> str:
    """The provider a session actually runs on first ("CUDAExecutionProvider" or "CPUExecutionProvider")."""
    return str(session.get_providers()[0])
