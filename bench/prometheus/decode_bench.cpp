// Decoding Prometheus API responses: a vector of 100,000 series (six labels each, as
// kube-state-metrics and cAdvisor series have) and a matrix of 2,000 series x 120 samples.
// Reports bytes/second of response body decoded on one core.
//
//   build/runtime/prometheus_decode_bench [--benchmark_filter=Vector]
//   build/runtime/prometheus_decode_bench --verify   (decodes each body once, checks, exits)
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <variant>

#include "runtime/prometheus/client.hpp"
#include "runtime/prometheus/decode.hpp"

namespace pm = skippy::prometheus;

namespace {

// Deterministic pseudo-random numbers (no dependence on the clock).
struct Rng {
  std::uint64_t s = 0x9e3779b97f4a7c15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

const char* const kMetrics[] = {
    "container_memory_working_set_bytes", "container_cpu_usage_seconds_total",
    "kube_pod_container_status_restarts_total", "container_network_receive_bytes_total"};
const char* const kContainers[] = {"app", "istio-proxy", "sidecar", "worker", "nginx"};

void append_value(std::string& out, Rng& rng) {
  std::uint64_t r = rng.next();
  switch (r % 16) {
    case 0:
      out += "NaN";
      break;
    case 1:
      out += "+Inf";
      break;
    case 2:
      out += "0";
      break;
    case 3:
    case 4:
    case 5:
      out += std::to_string((r >> 8) % 1000000);
      break;
    default: {
      // Shortest round-trip form, as Prometheus (Go's 'f', -1) writes values.
      char buf[64];
      auto end =
          std::to_chars(buf, buf + sizeof buf, static_cast<double>((r >> 11) % 100000000) / 1000.0)
              .ptr;
      out.append(buf, end);
    }
  }
}

void append_labels(std::string& out, std::size_t i, Rng& rng) {
  std::size_t ns = i % 97, deploy = (i / 97) % 50;
  out += R"({"__name__":")";
  out += kMetrics[i % 4];
  out += R"(","container":")";
  out += kContainers[rng.next() % 5];
  out += R"(","instance":"10.)";
  out += std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
  out += R"(:10250","job":"kubelet","namespace":"team-)";
  out += std::to_string(ns);
  out += R"(","pod":"service-)";
  out += std::to_string(deploy);
  out += "-7d9f8b6c5-";
  static constexpr char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  for (int k = 0; k < 5; ++k) out += alphabet[rng.next() % 27];
  out += R"("})";
}

std::string vector_body(std::size_t series) {
  Rng rng;
  std::string out = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (std::size_t i = 0; i < series; ++i) {
    if (i) out += ',';
    out += R"({"metric":)";
    append_labels(out, i, rng);
    out += R"(,"value":[1700000000.123,")";
    append_value(out, rng);
    out += R"("]})";
  }
  out += "]}}";
  return out;
}

std::string matrix_body(std::size_t series, std::size_t samples) {
  Rng rng;
  std::string out = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (std::size_t i = 0; i < series; ++i) {
    if (i) out += ',';
    out += R"({"metric":)";
    append_labels(out, i, rng);
    out += R"(,"values":[)";
    for (std::size_t k = 0; k < samples; ++k) {
      if (k) out += ',';
      out += "[" + pm::format_seconds(1700000000000 + static_cast<std::int64_t>(k) * 15000) + ",\"";
      append_value(out, rng);
      out += "\"]";
    }
    out += "]}";
  }
  out += "]}}";
  return out;
}

const std::string& vector_100k() {
  static const std::string body = vector_body(100'000);
  return body;
}
const std::string& matrix_2k() {
  static const std::string body = matrix_body(2'000, 120);
  return body;
}

// Decodes from a borrowed body: one copy into the result's padded buffer.
void decode_borrowed(benchmark::State& state, const std::string& body, std::size_t expect) {
  pm::Decoder decoder;
  for (auto _ : state) {
    auto result = decoder.decode(std::string_view(body));
    auto* r = std::get_if<pm::QueryResult>(&result);
    if (!r || r->size() != expect) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(r->sample_count());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["series"] = static_cast<double>(expect);
  state.counters["body_MB"] = static_cast<double>(body.size()) / 1e6;
}

// Decodes a body handed over with room for the padding, as the client does: no copy.
void decode_owned(benchmark::State& state, const std::string& body, std::size_t expect) {
  pm::Decoder decoder;
  for (auto _ : state) {
    state.PauseTiming();
    std::string owned;
    owned.reserve(body.size() + pm::decode_padding());
    owned.append(body);
    state.ResumeTiming();
    auto result = decoder.decode(std::move(owned));
    auto* r = std::get_if<pm::QueryResult>(&result);
    if (!r || r->size() != expect) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(r->sample_count());
    state.counters["result_MB"] = static_cast<double>(r->memory_bytes()) / 1e6;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["series"] = static_cast<double>(expect);
  state.counters["body_MB"] = static_cast<double>(body.size()) / 1e6;
}

void BM_DecodeVector100k_Owned(benchmark::State& state) {
  decode_owned(state, vector_100k(), 100'000);
}
void BM_DecodeVector100k_Borrowed(benchmark::State& state) {
  decode_borrowed(state, vector_100k(), 100'000);
}
void BM_DecodeMatrix2kx120_Owned(benchmark::State& state) {
  decode_owned(state, matrix_2k(), 2'000);
}
void BM_DecodeMatrix2kx120_Borrowed(benchmark::State& state) {
  decode_borrowed(state, matrix_2k(), 2'000);
}

BENCHMARK(BM_DecodeVector100k_Owned)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeVector100k_Borrowed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeMatrix2kx120_Owned)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeMatrix2kx120_Borrowed)->Unit(benchmark::kMillisecond);

// --verify: the generated bodies decode to what was generated.
int verify() {
  auto v = pm::decode_response(std::string_view(vector_100k()));
  auto* vr = std::get_if<pm::QueryResult>(&v);
  if (!vr || vr->type() != pm::ResultType::Vector || vr->size() != 100'000 ||
      vr->sample_count() != 100'000) {
    std::fprintf(stderr, "vector body did not decode as generated\n");
    return 1;
  }
  auto first = (*vr)[0];
  if (first.labels.size() != 6 || first.labels.get("job") != "kubelet" ||
      first.samples[0].time_ms != 1700000000123) {
    std::fprintf(stderr, "vector series 0 wrong: %s\n", first.labels.to_string().c_str());
    return 1;
  }
  auto m = pm::decode_response(std::string_view(matrix_2k()));
  auto* mr = std::get_if<pm::QueryResult>(&m);
  if (!mr || mr->type() != pm::ResultType::Matrix || mr->size() != 2'000 ||
      mr->sample_count() != 240'000) {
    std::fprintf(stderr, "matrix body did not decode as generated\n");
    return 1;
  }
  std::printf("vector: %zu bytes, %zu series, result holds %zu bytes\n", vector_100k().size(),
              vr->size(), vr->memory_bytes());
  std::printf("matrix: %zu bytes, %zu series, %zu samples, result holds %zu bytes\n",
              matrix_2k().size(), mr->size(), mr->sample_count(), mr->memory_bytes());
  std::printf("1 passed, 0 failed\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--verify") == 0) return verify();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
