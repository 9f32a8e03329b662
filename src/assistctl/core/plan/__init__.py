"""The plan: what to create, update and delete so that the live assistants match the manifests.

``model`` is the plan as frozen, serialisable data; ``planner`` makes it from manifests and
live objects, page by page; ``bodies`` builds the request bodies its changes send; ``paths``
says where two canonical forms differ. Everything the rest of assistctl uses is importable
from here.
"""

from assistctl.core.plan.bodies import create_body
from assistctl.core.plan.guard import DeleteGuard
from assistctl.core.plan.model import (
    ACTIONS,
    FORMAT_VERSION,
    Action,
    Change,
    DriftReport,
    Ignored,
    Plan,
    PlanTarget,
    Problem,
    Targeting,
    drift_report,
)
from assistctl.core.plan.paths import diff_paths, format_path, top_field
from assistctl.core.plan.planner import Planner, compute_plan

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "Action",
    "Change",
    "DeleteGuard",
    "DriftReport",
    "Ignored",
    "Plan",
    "PlanTarget",
    "Planner",
    "Problem",
    "Targeting",
    "compute_plan",
    "create_body",
    "diff_paths",
    "drift_report",
    "format_path",
    "top_field",
]
