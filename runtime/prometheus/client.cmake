# The Prometheus HTTP API client (runtime/prometheus/); included from runtime/CMakeLists.txt.
