"""The models AIML API (and its white-label copy Laplas) documents for its Assistants API.

Data only. ``validate`` warns (never errors) when a manifest's model is not in
:data:`ASSISTANT_MODELS` and the provider is ``aimlapi`` or ``laplas``: those hosts document a
closed list, and a model outside it is likely refused at ``apply`` time, but the list may have
grown since it was copied here, so the manifest is not rejected.

Source, and how complete it is:

- AIML API documents the ``model`` of ``POST https://api.aimlapi.com/assistants`` as an enum
  on https://docs.aimlapi.com/solutions/openai/assistants/assistant-api (the schema comes from
  their public OpenAPI file). The rendered page we could read lists it as starting
  ``gpt-4o, gpt-4o-2024-08-06, gpt-4o-2024-05-13, gpt-4o-mini, gpt-4o-mini-2024-07-18,
  chatgpt-4o-latest, gpt-4-turbo, gpt-4-turbo-2024-04-09, gpt-4, gpt-4-0125-preview, ...``
  and the rest of the enum was not available to us, so the documented list is NOT
  reproduced exactly here.
- To cover the remainder, the list adds the ``AssistantSupportedModels`` enum of the OpenAI
  spec this project follows (its Assistants part is kept in ``tests/data/openapi/``), which
  is what an OpenAI-compatible Assistants host proxies. The result is a superset of what we could
  verify; it errs toward fewer false warnings.

Update this file when AIML API's documented enum changes (the test suite checks only its
shape, not its contents).
"""

from __future__ import annotations

DOCUMENTED_PREFIX: tuple[str, ...] = (
    "gpt-4o",
    "gpt-4o-2024-08-06",
    "gpt-4o-2024-05-13",
    "gpt-4o-mini",
    "gpt-4o-mini-2024-07-18",
    "chatgpt-4o-latest",
    "gpt-4-turbo",
    "gpt-4-turbo-2024-04-09",
    "gpt-4",
    "gpt-4-0125-preview",
)
"""The part of AIML API's Assistants model enum seen verbatim in its documentation."""

SPEC_ASSISTANT_MODELS: tuple[str, ...] = (
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5-2025-08-07",
    "gpt-5-mini-2025-08-07",
    "gpt-5-nano-2025-08-07",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "o3-mini",
    "o3-mini-2025-01-31",
    "o1",
    "o1-2024-12-17",
    "gpt-4o",
    "gpt-4o-2024-11-20",
    "gpt-4o-2024-08-06",
    "gpt-4o-2024-05-13",
    "gpt-4o-mini",
    "gpt-4o-mini-2024-07-18",
    "gpt-4.5-preview",
    "gpt-4.5-preview-2025-02-27",
    "gpt-4-turbo",
    "gpt-4-turbo-2024-04-09",
    "gpt-4-0125-preview",
    "gpt-4-turbo-preview",
    "gpt-4-1106-preview",
    "gpt-4-vision-preview",
    "gpt-4",
    "gpt-4-0314",
    "gpt-4-0613",
    "gpt-4-32k",
    "gpt-4-32k-0314",
    "gpt-4-32k-0613",
    "gpt-3.5-turbo",
    "gpt-3.5-turbo-16k",
    "gpt-3.5-turbo-0613",
    "gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-0125",
    "gpt-3.5-turbo-16k-0613",
)
"""``AssistantSupportedModels`` of openai-openapi.yaml (commit f85dbe2, 2026-08-21)."""

ASSISTANT_MODELS: frozenset[str] = frozenset(DOCUMENTED_PREFIX + SPEC_ASSISTANT_MODELS)
"""Models ``validate`` accepts without a warning for ``aimlapi`` and ``laplas``."""

DOCS_URL = "https://docs.aimlapi.com/solutions/openai/assistants/assistant-api"
