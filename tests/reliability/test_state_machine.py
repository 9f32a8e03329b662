"""A hypothesis state machine: random sequences of manifest edits, out-of-band changes, flaky
hosts and applies.

Rules: add, edit (one field at a time, within the API's limits), rename (``moved_from``) and
remove a manifest; edit or delete a live assistant behind the tool's back; create an
unmanaged assistant or another project's; make the host flaky for the next apply (responses
lost or cut, 5xx after a commit); apply. The engine runs as the commands compose it
(``compute_plan`` over ``list_all``, then ``apply_plan``), against the in-process emulator
(``LocalTransport``: the same request handling as over HTTP, no socket; backoff sleeps are
skipped).

After every step: no two live assistants carry the same label, and the unmanaged and other
projects' assistants are byte for byte as they were created. After every apply (rerun while
it reports failures, as a user would): the next plan is empty and safe, every manifest key
has exactly one live assistant and nothing else of the project is left, and an assistant
that existed for a key (or for the key it was renamed from) kept its id.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from assistctl.api.apply import apply_plan
from assistctl.api.client import AssistantsClient
from assistctl.api.target import resolve_target
from assistctl.config.manifest import Manifest
from assistctl.core.plan import Plan, compute_plan
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.transport import LocalTransport
from assistctl.errors import AssistctlError
from assistctl.labels import make_label, owner_of
from assistctl.options import GlobalOptions

from ._support import canonical

PROJECT = "machine"
KEYS = ("alpha", "beta", "gamma", "delta", "eps")
MAX_APPLIES = 6
"""Reruns of one apply under faults before it must have converged."""

# ---- field values within the API's limits -------------------------------------------------------

_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ 019.,:-_\n\tüé漢✓")), max_size=24
) | st.sampled_from(["", "  padded  ", "x" * 256])
_FUNCTIONS = ["get_weather", "lookup", "send_mail"]
_PARAMETERS = st.sampled_from(
    [
        None,
        {},
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    ]
)


@st.composite
def _tools(draw: st.DrawFn) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    for kind in draw(
        st.lists(st.sampled_from(["code_interpreter", "file_search", "fn"]), max_size=4)
    ):
        if kind == "fn":
            names = [t["function"]["name"] for t in tools if t["type"] == "function"]
            free = [n for n in _FUNCTIONS if n not in names]
            if not free:
                continue
            fn: dict[str, Any] = {"name": draw(st.sampled_from(free))}
            params = draw(_PARAMETERS)
            if params is not None:
                fn["parameters"] = params
            if draw(st.booleans()):
                fn["description"] = draw(_text)
            tools.append({"type": "function", "function": fn})
        elif all(t["type"] != kind for t in tools):
            tool: dict[str, Any] = {"type": kind}
            if kind == "file_search" and draw(st.booleans()):
                tool["file_search"] = {"max_num_results": draw(st.integers(1, 50))}
            tools.append(tool)
    return tools


FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": _text,
    "description": _text,
    "instructions": _text | st.just("Line one.\nLine two.\n"),
    "model": st.sampled_from(["gpt-4o", "gpt-4o-mini", "o3-mini"]),
    "tools": _tools(),
    "metadata": st.dictionaries(st.sampled_from(["team", "tier", "env"]), _text, max_size=3),
    "temperature": st.sampled_from([0, 0.2, 1, 1.0, 1.5, 2]),
    "top_p": st.sampled_from([0, 0.5, 1]),
    "response_format": st.sampled_from(["auto", {"type": "text"}, {"type": "json_object"}]),
    "reasoning_effort": st.sampled_from(["low", "medium", "high"]),
}
OUT_OF_BAND = ("name", "description", "instructions", "model", "tools", "metadata", "temperature")


def _fix_resources(doc: dict[str, Any]) -> None:
    """Keep ``tool_resources`` in step with the tools it belongs to."""
    kinds = {t["type"] for t in doc.get("tools") or []}
    resources = {k: v for k, v in (doc.get("tool_resources") or {}).items() if k in kinds}
    if resources:
        doc["tool_resources"] = resources
    else:
        doc.pop("tool_resources", None)


class LabelMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = EmulatorApp("openai")
        target = resolve_target(
            GlobalOptions(base_url="https://emulator.test/v1", api_key="sk-test-machine"), env={}
        )
        self.client = AssistantsClient(
            target, transport=LocalTransport(self.app), sleep=lambda seconds: None
        )
        self.docs: dict[str, dict[str, Any]] = {}
        self.bystanders: dict[str, str] = {}
        self.renamed: dict[str, str] = {}
        """new key -> old key, for the renames the next apply carries out."""

    def teardown(self) -> None:
        self.client.close()

    # ---- live state --------------------------------------------------------------------------

    def live(self) -> list[dict[str, Any]]:
        return [rec.obj for rec in self.app.store.all()]

    def stored(self, ident: str) -> dict[str, Any]:
        rec = self.app.store.get(ident)
        assert rec is not None, ident
        return rec.obj

    def ours(self) -> dict[str, list[str]]:
        """Manifest key -> ids of this project's live assistants carrying its label."""
        out: dict[str, list[str]] = {}
        for obj in self.live():
            owner = owner_of(obj)
            if owner is not None and owner[0] == PROJECT:
                out.setdefault(owner[1], []).append(obj["id"])
        return out

    def plan(self) -> Plan:
        manifests = [Manifest.model_validate(doc) for doc in self.docs.values()]
        return compute_plan(manifests, self.client.list_all(), PROJECT)

    # ---- manifests ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.docs) < len(KEYS))
    @rule(data=st.data())
    def add_manifest(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from([k for k in KEYS if k not in self.docs]))
        doc: dict[str, Any] = {"key": key, "model": "gpt-4o"}
        for field in data.draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=4)):
            doc[field] = data.draw(FIELDS[field])
        if any(t["type"] == "code_interpreter" for t in doc.get("tools") or []):
            doc["tool_resources"] = {"code_interpreter": {"file_ids": ["file-a", "file-b"]}}
        self._claim(key)
        self.docs[key] = doc

    def _claim(self, key: str) -> None:
        """A key that comes back ends any rename away from it, as its author would notice."""
        for other in self.docs.values():
            if other.get("moved_from") == key:
                del other["moved_from"]
        self.renamed = {new: old for new, old in self.renamed.items() if old != key}

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def edit_manifest(self, data: st.DataObject) -> None:
        doc = self.docs[data.draw(st.sampled_from(sorted(self.docs)))]
        field = data.draw(st.sampled_from(sorted(FIELDS)))
        if field != "model" and field in doc and data.draw(st.booleans()):
            del doc[field]  # unset: back to the API default
        else:
            doc[field] = data.draw(FIELDS[field])
        _fix_resources(doc)

    @precondition(lambda self: self.docs and len(self.docs) < len(KEYS))
    @rule(data=st.data())
    def rename_manifest(self, data: st.DataObject) -> None:
        old = data.draw(st.sampled_from(sorted(self.docs)))
        new = data.draw(st.sampled_from([k for k in KEYS if k not in self.docs]))
        doc = self.docs.pop(old)
        self._claim(new)
        doc["key"], doc["moved_from"] = new, old
        self.docs[new] = doc
        self.renamed = {n: o for n, o in self.renamed.items() if n != old}
        self.renamed[new] = old

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def remove_manifest(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.docs)))
        del self.docs[key]
        self.renamed.pop(key, None)

    # ---- behind the tool's back ---------------------------------------------------------------

    @precondition(lambda self: self.ours())
    @rule(data=st.data())
    def edit_out_of_band(self, data: st.DataObject) -> None:
        ours = self.ours()
        ident = ours[data.draw(st.sampled_from(sorted(ours)))][0]
        field = data.draw(st.sampled_from(OUT_OF_BAND))
        value = data.draw(FIELDS[field])
        if field == "metadata":
            # Someone edits the pairs on the dashboard; the label stays (relabelling by hand
            # into a duplicate is the conflict the plan refuses, by design).
            value = {**value, "assistctl": self.stored(ident)["metadata"]["assistctl"]}
        assert self.app.modify_assistant(ident, {field: value}) is not None

    @precondition(lambda self: self.ours())
    @rule(data=st.data())
    def delete_out_of_band(self, data: st.DataObject) -> None:
        ours = self.ours()
        assert self.app.store.delete(ours[data.draw(st.sampled_from(sorted(ours)))][0])

    @rule(
        owner=st.sampled_from([None, "other/alpha", "other/beta", "not a label", "machine"]),
        name=_text,
    )
    def create_bystander(self, owner: str | None, name: str) -> None:
        body: dict[str, Any] = {"model": "gpt-4o", "name": name}
        if owner is not None:
            body["metadata"] = {"assistctl": owner}
        obj = self.app.create_assistant(body).obj
        self.bystanders[obj["id"]] = canonical(obj)

    @rule(
        lost=st.integers(0, 2),
        failed=st.integers(0, 2),
        cut=st.integers(0, 3),
        burst=st.lists(st.sampled_from([500, 502, 503]), max_size=3),
    )
    def flaky_host(self, lost: int, failed: int, cut: int, burst: list[int]) -> None:
        self.app.faults.configure(
            lost_creates=lost, failed_creates=failed, drop_responses=cut, next_statuses=burst
        )

    # ---- apply and what must hold after it ------------------------------------------------------

    @rule()
    def apply(self) -> None:
        before = {key: ids[0] for key, ids in self.ours().items()}
        for _ in range(MAX_APPLIES):
            try:
                plan = self.plan()
            except AssistctlError:
                continue  # listing failed under the faults: rerun, as a user would
            plan.raise_if_unsafe()
            report = apply_plan(self.client, plan, parallelism=3)
            if report.ok:
                break
        else:
            raise AssertionError(f"no convergence in {MAX_APPLIES} applies")
        self.app.faults.reset()

        after = self.plan()
        assert after.problems == (), after.problems
        assert not after.has_changes, [(c.key, c.action, c.changed) for c in after.changes]
        ours = self.ours()
        assert {k: len(v) for k, v in ours.items()} == dict.fromkeys(self.docs, 1)
        for key, doc in self.docs.items():
            self.assert_live_matches(doc, self.stored(ours[key][0]))
            previous = before.get(key) or before.get(self.renamed.get(key, ""))
            if previous is not None:
                assert ours[key] == [previous], f"'{key}' got a new assistant"
        self.renamed.clear()

    @staticmethod
    def assert_live_matches(doc: dict[str, Any], live: dict[str, Any]) -> None:
        """An oracle independent of the plan's normalization, for the simple fields: an
        empty plan over a normalization that ignored a field would not be caught otherwise."""
        key = doc["key"]
        assert live["model"] == doc["model"], key
        for field in ("name", "description", "instructions"):
            assert (live[field] or None) == (doc.get(field) or None), (key, field)
        for field in ("temperature", "top_p"):
            assert abs(live[field] - doc.get(field, 1.0)) < 1e-9, (key, field)
        assert live["response_format"] == doc.get("response_format", "auto"), key
        pairs = {k: v for k, v in live["metadata"].items() if k != "assistctl"}
        assert pairs == (doc.get("metadata") or {}), key

    @invariant()
    def one_assistant_per_label(self) -> None:
        labels = Counter(
            make_label(*owner) for obj in self.live() if (owner := owner_of(obj)) is not None
        )
        ours = {label: n for label, n in labels.items() if label.startswith(PROJECT + "/")}
        assert all(n == 1 for n in ours.values()), ours

    @invariant()
    def bystanders_untouched(self) -> None:
        for ident, before in self.bystanders.items():
            rec = self.app.store.get(ident)
            assert rec is not None and canonical(rec.obj) == before, f"{ident} was touched"


LabelMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLabelMachine = LabelMachine.TestCase
