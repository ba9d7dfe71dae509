"""The curriculum's real dataset, New York City departures in 2013, and the task on it.

Loading (:mod:`.data`), vectorized features (:mod:`.features`), and the model
pipelines of the flights task (:mod:`.reference`, :mod:`.pipelines`).
"""

from mlstack.flights.data import (
    COLUMN_ROLES,
    LATE_THRESHOLD_MIN,
    TABLES,
    TARGET,
    columns_with_role,
    data_fingerprint,
    load_flights,
    load_table,
    task_frame,
)
from mlstack.flights.features import (
    EARTH_RADIUS_KM,
    FEATURE_COLUMNS,
    airport_coordinates,
    build_flight_features,
    departures_within,
    haversine_km,
    haversine_km_scalar,
    leg_of_day,
    prior_days_mean,
    route_coordinates,
    route_distance_km,
)
from mlstack.flights.pipelines import (
    CATEGORICAL,
    EXCLUDED,
    MODEL_NAMES,
    NUMERIC,
    SCHEDULE_FEATURES,
    SEARCH_SPACE,
    add_schedule_features,
    feature_columns,
    make_model,
    make_preprocessor,
    task_data,
)
from mlstack.flights.reference import (
    NOT_FEATURES,
    flights_pipeline,
)

__all__ = [
    "CATEGORICAL",
    "COLUMN_ROLES",
    "EARTH_RADIUS_KM",
    "EXCLUDED",
    "FEATURE_COLUMNS",
    "LATE_THRESHOLD_MIN",
    "MODEL_NAMES",
    "NOT_FEATURES",
    "NUMERIC",
    "SCHEDULE_FEATURES",
    "SEARCH_SPACE",
    "TABLES",
    "TARGET",
    "add_schedule_features",
    "airport_coordinates",
    "build_flight_features",
    "columns_with_role",
    "data_fingerprint",
    "departures_within",
    "feature_columns",
    "flights_pipeline",
    "haversine_km",
    "haversine_km_scalar",
    "leg_of_day",
    "load_flights",
    "load_table",
    "make_model",
    "make_preprocessor",
    "prior_days_mean",
    "route_coordinates",
    "route_distance_km",
    "task_data",
    "task_frame",
]
