"""Built-in suites: a plan of sweeps per profile, the measurements sweeps cannot make, and one report.

    html, markdown = run_suite("rnn-vs-lstm", "quick", Path("rnn-vs-lstm"))
    plan = plan_suite("rnn-vs-lstm", "full"); plan.expected_seconds()   # before anything runs
"""

from rnnlab.compare.suites.plan import SuitePlan, plan_suite
from rnnlab.compare.suites.profiles import SUITES, TITLES, SuiteProfile, TaskPart
from rnnlab.compare.suites.run import run_suite

__all__ = ["SUITES", "TITLES", "SuitePlan", "SuiteProfile", "TaskPart", "plan_suite", "run_suite"]
