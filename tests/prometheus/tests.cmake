# Tests of the Prometheus client (runtime/prometheus/); included from tests/CMakeLists.txt.
