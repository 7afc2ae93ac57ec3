# The Prometheus HTTP API client (runtime/prometheus/); included from runtime/CMakeLists.txt.
# Depends on libcurl (HTTP, gzip via zlib) and simdjson (decoding) only.
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED CONFIG)
find_package(ZLIB REQUIRED)

add_library(skippy_prometheus
  ${CMAKE_CURRENT_LIST_DIR}/decode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client.cpp)
add_library(skippy::prometheus ALIAS skippy_prometheus)
target_include_directories(skippy_prometheus PUBLIC ${PROJECT_SOURCE_DIR})
target_compile_features(skippy_prometheus PUBLIC cxx_std_20)
target_link_libraries(skippy_prometheus PRIVATE skippy::http CURL::libcurl simdjson::simdjson ZLIB::ZLIB skippy_warnings)

# The decoding benchmark (bench/prometheus/): 100,000-series vector and a matrix, bytes/second.
if(SKIPPY_BUILD_BENCH)
  find_package(benchmark REQUIRED)
  add_executable(prometheus_decode_bench ${PROJECT_SOURCE_DIR}/bench/prometheus/decode_bench.cpp)
  target_link_libraries(prometheus_decode_bench PRIVATE skippy::prometheus benchmark::benchmark skippy_warnings)
endif()

# The fuzz configuration builds no tests; the decoder's fuzz target lives with the tests.
if(SKIPPY_BUILD_FUZZ)
  include(${PROJECT_SOURCE_DIR}/tests/runtime/prometheus/tests.cmake)
endif()
