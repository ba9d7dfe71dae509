"""Tests of mlstack.model_selection.cluster: searches routed through joblib to a Dask cluster."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from mlstack.errors import InputError
from mlstack.model_selection.cluster import ClusterInfo, dask_backend


def _search(n_jobs=-1):
    return GridSearchCV(LogisticRegression(), {"C": [0.01, 0.1, 1.0]}, cv=3, n_jobs=n_jobs)


def _data():
    return make_classification(n_samples=120, n_features=5, random_state=0)


def _active_backend_name():
    backend, _ = joblib.parallel.get_active_backend()
    return type(backend).__name__


@pytest.mark.slow  # starts a scheduler and two workers: about 1-4 s
def test_embedded_local_cluster_runs_a_grid_search_like_plain_joblib():
    X, y = _data()
    with dask_backend("") as info:
        assert _active_backend_name() == "DaskDistributedBackend"
        on_dask = _search().fit(X, y)
    plain = _search(n_jobs=1).fit(X, y)
    assert info == ClusterInfo("embedded", 2, 2)
    assert on_dask.best_params_ == plain.best_params_
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )
    assert _active_backend_name() != "DaskDistributedBackend"


def test_none_keeps_plain_joblib():
    with dask_backend(None) as info:
        assert _active_backend_name() != "DaskDistributedBackend"
    assert info.kind == "none"
    assert info.describe() == "plain joblib on this machine (no Dask)"


@pytest.mark.slow
def test_external_scheduler_is_used_and_left_running():
    from distributed import Client, LocalCluster

    X, y = _data()
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with dask_backend(cluster.scheduler_address) as info:
            _search().fit(X, y)
        assert info.kind == "external"
        assert info.describe() == "Dask on an external cluster: 1 workers, 1 threads in total"
        with Client(cluster) as client:  # still up after the block
            assert len(client.scheduler_info(n_workers=-1)["workers"]) == 1


def test_address_without_protocol_is_an_input_error():
    with pytest.raises(InputError, match="write it as tcp://HOST:PORT"):
        with dask_backend("localhost:8786"):
            pass


@pytest.mark.slow
def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(InputError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1:9"):
        with dask_backend("tcp://127.0.0.1:9", timeout_s=1):
            pass
