"""Test helpers around a running emulator, used by ``tests/conftest.py``'s fixtures.

Importable by any test (``from assistctl.emulator.testing import EmulatorHandle``) for type
hints; it has no pytest dependency.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer
from assistctl.emulator.store import Store

if TYPE_CHECKING:
    import httpx
    import openai

TEST_API_KEY = "sk-test-emulator-key"


@dataclass
class EmulatorHandle:
    server: RunningServer
    api_key: str = TEST_API_KEY

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def root_url(self) -> str:
        return self.server.root_url

    @property
    def app(self) -> EmulatorApp:
        return self.server.app

    @property
    def store(self) -> Store:
        return self.server.app.store

    @property
    def flavor(self) -> str:
        return self.app.flavor.name

    @property
    def headers(self) -> dict[str, str]:
        """What a well-behaved client sends: auth, plus the beta header where required."""
        flavor = self.app.flavor
        if flavor.auth_header == "authorization":
            headers = {"Authorization": f"Bearer {self.api_key}"}
        else:
            headers = {flavor.auth_header: self.api_key}
        if flavor.beta_versions:
            headers["OpenAI-Beta"] = f"assistants={flavor.beta_versions[0]}"
        return headers

    @property
    def params(self) -> dict[str, str]:
        """Query parameters every request needs (Azure's ``api-version``), else empty."""
        return dict(self.app.flavor.query)

    def reset(self) -> None:
        self.app.reset()

    def settle(self, timeout: float = 5.0) -> None:
        """Wait (at most ``timeout``) until this process has no listing thread left and the
        emulator handles no request: a list request that a finished command left on the
        wire (its listing was over) ends before the next test reads the log."""
        ends = time.monotonic() + timeout
        for thread in threading.enumerate():
            if thread.name.startswith("assistctl-list-"):
                thread.join(max(0.0, ends - time.monotonic()))
        while self.app.in_flight and time.monotonic() < ends:
            time.sleep(0.005)

    def set_faults(self, **fields: Any) -> dict[str, Any]:
        """Change fault settings (see ``assistctl.emulator.faults``); returns all settings."""
        return self.app.faults.configure(**fields).to_json()

    def clear_faults(self) -> None:
        self.app.faults.reset()

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The request log, oldest first; optionally only one operation (create, list, ...)."""
        log = self.app.requests()
        return [e for e in log if operation is None or e["operation"] == operation]

    def modify_out_of_band(self, assistant_id: str, **fields: Any) -> dict[str, Any]:
        """Change an assistant behind the client's back (validated like a modify request)."""
        rec = self.app.modify_assistant(assistant_id, fields)
        if rec is None:
            raise KeyError(assistant_id)
        return rec.obj

    def delete_out_of_band(self, assistant_id: str) -> None:
        if not self.store.delete(assistant_id):
            raise KeyError(assistant_id)

    def seed_catalog(self, kind: str, *items: Any) -> list[dict[str, Any]]:
        """Serve ``kind`` (``models``, ``files``, ``vector_stores``) with ``items`` (ids or
        partial objects), as ``POST /_admin/<kind>`` does."""
        return self.app.catalog.seed(kind, items)

    def seed_assistants(
        self,
        n: int,
        *,
        metadata: dict[str, str] | None = None,
        model: str = "gpt-4o",
        **fields: Any,
    ) -> list[dict[str, Any]]:
        """Create ``n`` assistants out of band (named ``seed-0``... unless ``name`` is given)."""
        out = []
        for i in range(n):
            body: dict[str, Any] = {"model": model, "name": f"seed-{i}", **fields}
            if metadata is not None:
                body["metadata"] = metadata
            out.append(self.app.create_assistant(body).obj)
        return out

    def get(self, assistant_id: str) -> dict[str, Any] | None:
        rec = self.store.get(assistant_id)
        return rec.obj if rec else None

    def extra(self, assistant_id: str) -> dict[str, Any]:
        rec = self.store.get(assistant_id)
        if rec is None:
            raise KeyError(assistant_id)
        return rec.extra

    def assistants(self) -> list[dict[str, Any]]:
        return [r.obj for r in self.store.all()]

    # Clients. ``verify=False`` only skips building a TLS context (~40 ms per client): the
    # emulator speaks plain HTTP on 127.0.0.1, so there is nothing to verify.

    def http_client(self, *, auth: bool = True, **kwargs: Any) -> httpx.Client:
        """An httpx client on ``base_url`` sending ``headers`` (unless ``auth=False``)."""
        import httpx

        headers = self.headers if auth else {}
        kwargs.setdefault("params", self.params)
        return httpx.Client(base_url=self.base_url, headers=headers, verify=False, **kwargs)

    def admin_client(self) -> httpx.Client:
        """An httpx client on ``ROOT/_admin``."""
        import httpx

        return httpx.Client(base_url=self.root_url + "/_admin", verify=False)

    def openai_client(self, *, max_retries: int = 0, **kwargs: Any) -> openai.OpenAI:
        """The official SDK pointed at the emulator (no retries unless asked)."""
        import openai

        kwargs.setdefault("http_client", openai.DefaultHttpxClient(verify=False))
        return openai.OpenAI(
            base_url=self.base_url, api_key=self.api_key, max_retries=max_retries, **kwargs
        )

    def azure_openai_client(
        self, *, max_retries: int = 0, api_version: str | None = None, **kwargs: Any
    ) -> openai.AzureOpenAI:
        """The official SDK's ``AzureOpenAI`` client pointed at an azure-flavor emulator.

        ``azure_endpoint`` is the root URL (the SDK appends ``/openai``), as for a real
        ``https://RESOURCE.openai.azure.com``.
        """
        import openai

        kwargs.setdefault("http_client", openai.DefaultHttpxClient(verify=False))
        return openai.AzureOpenAI(
            azure_endpoint=self.root_url,
            api_key=self.api_key,
            api_version=api_version or self.params["api-version"],
            max_retries=max_retries,
            **kwargs,
        )
