from mlstack.benchmarks.leakage_bench import make_pair, run_benchmark
from mlstack.tools.leakage import audit


def test_benchmark_pair_plants_each_problem():
    train, test = make_pair(4000, 1000, 12)
    assert train.shape == (4000, 13) and test.shape == (1000, 13)
    findings = audit(train, test, "y", time="t")
    found = {f.kind for f in findings if f.severity != "low"}
    assert {"target_proxy", "duplicate_rows", "temporal_overlap"} <= found


def test_run_benchmark_records_every_repeat_of_each_timing_and_the_findings():
    result = run_benchmark(2000, 500, 8, repeat=2, write=False)
    assert set(result["checks"]) >= {"prepare", "duplicate_rows", "columns"}
    assert result["n_train"] == 2000 and result["repeat"] == 2 and len(result["times"]) == 2
    timings = [result["cpu"], result["audit_files_parquet"], *result["checks"].values()]
    assert all(t["repeat"] == 2 == len(t["times"]) for t in timings)
    assert ["high", "target_proxy", "leak"] in result["findings"]
