"""Shared fixtures: the emulator on a free 127.0.0.1 port, and the OpenAPI spec validator.

``emulator`` (openai flavor), ``emulator_aimlapi``, ``emulator_azure`` and ``emulator_v1``
(openai-v1 flavor) share one server per flavor for the whole session and reset it before
every test (empty store, no faults, empty request log), so tests are isolated and fast. Each
yields an ``assistctl.emulator.testing.EmulatorHandle``:

- ``base_url`` (``http://127.0.0.1:PORT/v1`` for openai and openai-v1, no ``/v1`` for
  aimlapi, ``/openai`` for azure), ``root_url``, ``api_key``, ``headers`` (auth, ``api-key``
  for azure, plus ``OpenAI-Beta`` where the flavor needs it), ``params`` (azure's
  ``api-version``), ``app``, ``store``;
- ``reset()``, ``set_faults(**fields)`` / ``clear_faults()``, ``requests(operation=None)``
  (the request log), ``modify_out_of_band(id, **fields)``, ``delete_out_of_band(id)``,
  ``seed_assistants(n, metadata=..., **fields)``, ``get(id)`` (the stored object or None),
  ``assistants()`` (every stored object, oldest first), ``extra(id)`` (fields accepted but
  not returned, e.g. ``reasoning_effort``).

Out-of-band changes and seeding bypass faults and the request log, like a person using the
dashboard.

``openapi`` (session) validates JSON against a schema component of OpenAI's spec, the
Assistants part of which is kept in ``tests/data/openapi/`` (its README names the source
commit and licence): ``openapi.validate(body, "AssistantObject")``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer, start_server
from assistctl.emulator.testing import EmulatorHandle

# A test run started in the background of a non-interactive shell (as some CI runners do)
# inherits SIGINT ignored, and so would every command the tests start: the Ctrl-C tests need
# Python's own handler here, which the commands they exec then get as the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SPEC_PATH = Path(__file__).resolve().parent / "data" / "openapi" / "assistants.yaml"


@pytest.fixture(scope="session")
def _emulator_openai_server() -> Iterator[RunningServer]:
    with start_server("127.0.0.1", 0, EmulatorApp("openai")) as server:
        yield server


@pytest.fixture(scope="session")
def _emulator_aimlapi_server() -> Iterator[RunningServer]:
    with start_server("127.0.0.1", 0, EmulatorApp("aimlapi")) as server:
        yield server


@pytest.fixture(scope="session")
def _emulator_azure_server() -> Iterator[RunningServer]:
    with start_server("127.0.0.1", 0, EmulatorApp("azure")) as server:
        yield server


@pytest.fixture(scope="session")
def _emulator_v1_server() -> Iterator[RunningServer]:
    with start_server("127.0.0.1", 0, EmulatorApp("openai-v1")) as server:
        yield server


@pytest.fixture
def emulator(_emulator_openai_server: RunningServer) -> Iterator[EmulatorHandle]:
    """The openai-flavor emulator, reset for this test."""
    handle = EmulatorHandle(_emulator_openai_server)
    handle.reset()
    yield handle
    handle.settle()
    handle.reset()


@pytest.fixture
def emulator_aimlapi(_emulator_aimlapi_server: RunningServer) -> Iterator[EmulatorHandle]:
    """The aimlapi-flavor emulator (no /v1, no beta header, AIML error bodies), reset."""
    handle = EmulatorHandle(_emulator_aimlapi_server)
    handle.reset()
    yield handle
    handle.settle()
    handle.reset()


@pytest.fixture
def emulator_azure(_emulator_azure_server: RunningServer) -> Iterator[EmulatorHandle]:
    """The azure-flavor emulator (``/openai``, ``api-key`` header, ``api-version``), reset."""
    handle = EmulatorHandle(_emulator_azure_server)
    handle.reset()
    yield handle
    handle.settle()
    handle.reset()


@pytest.fixture
def emulator_v1(_emulator_v1_server: RunningServer) -> Iterator[EmulatorHandle]:
    """The openai-v1-flavor emulator (``OpenAI-Beta: assistants=v1``, v1 shapes), reset."""
    handle = EmulatorHandle(_emulator_v1_server)
    handle.reset()
    yield handle
    handle.settle()
    handle.reset()


class OpenApiSpec:
    """Validates instances against ``#/components/schemas/NAME`` of the OpenAI spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.spec = spec
        self._uri = "urn:openai-openapi"
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(self._uri, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._cls = Draft202012Validator

    def schema(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.spec["components"]["schemas"][name]
        return schema

    def validator(self, name: str) -> Any:
        if name not in self._validators:
            ref = {"$ref": f"{self._uri}#/components/schemas/{name}"}
            self._validators[name] = self._cls(ref, registry=self._registry)
        return self._validators[name]

    def validate(self, instance: Any, name: str) -> None:
        """Raise ``jsonschema.ValidationError`` (with the best match) if invalid."""
        from jsonschema.exceptions import best_match

        error = best_match(self.validator(name).iter_errors(instance))
        if error is not None:
            raise error


@pytest.fixture(scope="session")
def openapi() -> OpenApiSpec:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open("rb") as fh:
        spec = yaml.load(fh, Loader=loader)
    return OpenApiSpec(spec)
