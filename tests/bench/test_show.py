from tests.bench.test_query_plans import *  # noqa
from tests.bench.test_query_plans import _plans, _nodes, _people

def test_show(engine):
    people = _people(engine, "candidate", 1) + _people(engine, "interviewer", 3)
    for _ in range(2):
        [plan] = _plans(engine, lambda s: hours_all_free(s, people, START, START + timedelta(hours=HOURS), limit=101))
    for n in _nodes(plan["Plan"]):
        print(n["Node Type"], n.get("Relation Name"), n.get("Index Name"), n["Actual Loops"], n["Actual Rows"], n.get("Join Type"), n.get("Actual Total Time"))
    print(plan["Execution Time"], plan["Planning Time"])
