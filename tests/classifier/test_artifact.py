"""The skops artifact: checksum, versions and the trusted-types allow-list are enforced."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import skops.io as sio

from classifier import ModelLoadError, ModelNotFoundError, load_model
from classifier.model import ALLOWED_TYPES, ARTIFACT_NAME, sidecar_path


def _meta(path: Path) -> dict:
    return json.loads(sidecar_path(path).read_text())


def _write_meta(path: Path, meta: dict) -> None:
    sidecar_path(path).write_text(json.dumps(meta))


def test_artifact_has_sidecar_with_version_and_checksum(model_path: Path) -> None:
    """Training writes a sidecar with the model version and the file's SHA-256."""
    meta = _meta(model_path)
    assert meta["model_version"].startswith("triage-2026.11-")
    assert meta["sha256"] == hashlib.sha256(model_path.read_bytes()).hexdigest()


def test_artifact_needs_only_our_transformer_trusted(model_path: Path) -> None:
    """Beyond skops' defaults, the file holds no type outside our explicit allow-list."""
    assert set(sio.get_untrusted_types(file=model_path)) <= ALLOWED_TYPES


def test_directory_path_loads_the_artifact_inside(model_path: Path) -> None:
    """load_model accepts the artifacts directory as well as the file."""
    assert load_model(model_path.parent).model_version == _meta(model_path)["model_version"]


def test_missing_model_says_how_to_train(tmp_path: Path) -> None:
    """A missing file raises ModelNotFoundError naming the three ways to train."""
    with pytest.raises(ModelNotFoundError) as err:
        load_model(tmp_path / ARTIFACT_NAME)
    message = str(err.value)
    for command in ("make model", "flask --app wsgi triage train", "python -m classifier train"):
        assert command in message


def test_tampered_artifact_is_refused(model_copy: Path) -> None:
    """Changing one byte of the artifact makes loading fail on the checksum."""
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="checksum"):
        load_model(model_copy)


def test_sidecar_version_mismatch_is_refused(model_copy: Path) -> None:
    """A sidecar naming another model version than the artifact holds is refused."""
    meta = _meta(model_copy)
    meta["model_version"] = "triage-2026.11-0000000000"
    _write_meta(model_copy, meta)
    with pytest.raises(ModelLoadError, match="version"):
        load_model(model_copy)


def test_expected_version_mismatch_is_refused(model_copy: Path) -> None:
    """Asking for a specific model version refuses any other."""
    with pytest.raises(ModelLoadError, match="expected"):
        load_model(model_copy, expected_version="triage-2026.11-ffffffffff")


def test_artifact_format_mismatch_is_refused(model_copy: Path) -> None:
    """An artifact format this code does not know is refused."""
    meta = _meta(model_copy)
    meta["format"] = 99
    _write_meta(model_copy, meta)
    with pytest.raises(ModelLoadError, match="format"):
        load_model(model_copy)


def test_other_scikit_learn_version_is_refused(model_copy: Path) -> None:
    """A model trained with another scikit-learn minor version must be retrained."""
    meta = _meta(model_copy)
    meta["sklearn_version"] = "0.1.0"
    _write_meta(model_copy, meta)
    with pytest.raises(ModelLoadError, match="scikit-learn"):
        load_model(model_copy)


def test_missing_sidecar_is_refused(model_copy: Path) -> None:
    """Without its sidecar an artifact cannot be verified, so it is refused."""
    sidecar_path(model_copy).unlink()
    with pytest.raises(ModelLoadError, match="missing"):
        load_model(model_copy)


def test_untrusted_type_is_refused_even_with_matching_checksum(model_copy: Path) -> None:
    """A consistent file holding a type outside the allow-list is refused."""
    from fractions import Fraction

    data = sio.dumps({"format": 1, "model_version": "x", "payload": Fraction(1, 3)})
    assert set(sio.get_untrusted_types(data=data)) - ALLOWED_TYPES
    model_copy.write_bytes(data)
    meta = _meta(model_copy)
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    _write_meta(model_copy, meta)
    with pytest.raises(ModelLoadError, match="allow-list"):
        load_model(model_copy)
