"""The emulator's models, files and vector stores: served once seeded, shaped as the spec says."""

from __future__ import annotations

from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle


def _get(emulator: EmulatorHandle, path: str, **params: str) -> Any:
    with emulator.http_client() as http:
        return http.get(path, params=params)


@pytest.mark.parametrize("path", ["/models", "/files", "/files/file-1", "/vector_stores/vs_1"])
def test_nothing_is_served_until_seeded(emulator: EmulatorHandle, path: str) -> None:
    answer = _get(emulator, path)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == f"Invalid URL (GET /v1{path})"


def test_models_list_is_the_spec_shape(emulator: EmulatorHandle, openapi: Any) -> None:
    emulator.seed_catalog("models", "gpt-4o", {"id": "o3-mini", "owned_by": "openai"})
    answer = _get(emulator, "/models")
    assert answer.status_code == 200
    openapi.validate(answer.json(), "ListModelsResponse")
    assert [m["id"] for m in answer.json()["data"]] == ["gpt-4o", "o3-mini"]
    assert emulator.requests() and emulator.requests()[-1]["operation"] == "list_models"


def test_files_and_vector_stores_are_the_spec_shapes(
    emulator: EmulatorHandle, openapi: Any
) -> None:
    (made,) = emulator.seed_catalog("files", {"filename": "faq.pdf"})
    emulator.seed_catalog("vector_stores", {"id": "vs_1", "name": "FAQ"}, "vs_2")
    file = _get(emulator, f"/files/{made['id']}")
    assert file.status_code == 200 and file.json()["filename"] == "faq.pdf"
    openapi.validate(file.json(), "OpenAIFile")
    store = _get(emulator, "/vector_stores/vs_1")
    openapi.validate(store.json(), "VectorStoreObject")
    files = _get(emulator, "/files", limit="1")
    openapi.validate(files.json(), "ListFilesResponse")
    stores = _get(emulator, "/vector_stores", limit="1", order="asc")
    openapi.validate(stores.json(), "ListVectorStoresResponse")
    assert stores.json()["has_more"] is True and len(stores.json()["data"]) == 1


def test_an_unknown_id_is_a_404_in_the_apis_words(emulator: EmulatorHandle) -> None:
    emulator.seed_catalog("files", "file-1")
    emulator.seed_catalog("vector_stores", "vs_1")
    missing = _get(emulator, "/files/file-nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No such File: file-nope"
    assert _get(emulator, "/vector_stores/vs_nope").status_code == 404
    assert _get(emulator, "/files", limit="0").status_code == 400


def test_admin_seeds_and_clears(emulator: EmulatorHandle) -> None:
    with emulator.admin_client() as admin:
        seeded = admin.post("/models", json={"data": ["gpt-4o"]})
        assert seeded.status_code == 200 and seeded.json()["data"][0]["object"] == "model"
        assert _get(emulator, "/models").status_code == 200
        assert admin.delete("/models").status_code == 200
        assert _get(emulator, "/models").status_code == 404
        assert admin.post("/files", json={"data": "file-1"}).status_code == 400
    with emulator.http_client() as http:
        emulator.seed_catalog("files", "file-1")
        assert http.post("/files", json={}).status_code == 405
