# Tests of the Prometheus client (runtime/prometheus/); included from tests/CMakeLists.txt, and
# from runtime/prometheus/client.cmake in the fuzz configuration (which builds no tests) for
# the fuzz target alone.

# libFuzzer target for the response decoder (clang, -DSKIPPY_BUILD_FUZZ=ON):
#   build-fuzz/runtime/prometheus_decode_fuzzer -max_total_time=300 <corpus dir>
if(SKIPPY_BUILD_FUZZ AND NOT TARGET prometheus_decode_fuzzer)
  add_executable(prometheus_decode_fuzzer ${CMAKE_CURRENT_LIST_DIR}/decode_fuzzer.cpp)
  target_link_libraries(prometheus_decode_fuzzer PRIVATE skippy::prometheus skippy_warnings)
  target_link_options(prometheus_decode_fuzzer PRIVATE -fsanitize=fuzzer)
endif()
if(NOT COMMAND skippy_add_test)
  return()
endif()

skippy_add_test(prometheus_decode_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/decode_test.cpp
  LIBS skippy::prometheus)

find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
skippy_add_test(prometheus_client_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client_test.cpp
  LIBS skippy::prometheus ZLIB::ZLIB Threads::Threads)

# Against a real `prometheus` (and `promtool` to backfill it) on 127.0.0.1.
find_package(CURL REQUIRED)
skippy_add_test(prometheus_integration_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/prometheus_test.cpp
  LIBS skippy::prometheus CURL::libcurl ZLIB::ZLIB Threads::Threads)
set_tests_properties(prometheus_integration_test PROPERTIES TIMEOUT 300)
# The same tests against a single-node VictoriaMetrics (Debian's `victoria-metrics`), which
# speaks Prometheus's query API; where it answers differently, the tests say so
# (docs/prometheus-client.md, "VictoriaMetrics").
skippy_add_test(victoria_metrics_integration_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/prometheus_test.cpp
  LIBS skippy::prometheus CURL::libcurl ZLIB::ZLIB Threads::Threads)
target_compile_definitions(victoria_metrics_integration_test PRIVATE SKIPPY_TEST_VICTORIA_METRICS)
set_tests_properties(victoria_metrics_integration_test PROPERTIES TIMEOUT 300)

# The decoding benchmark's own check: its generated bodies decode as generated.
if(TARGET prometheus_decode_bench)
  add_test(NAME bench.prometheus_decode_verify COMMAND prometheus_decode_bench --verify)
  set_tests_properties(bench.prometheus_decode_verify PROPERTIES LABELS bench)
endif()
